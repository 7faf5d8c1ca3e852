-- An activity type as words to match prospecting terms against: lower case, every run of
-- anything but letters one space, trimmed ('Cold-Call #2' → 'cold call').
create or replace macro macros.main.type_words(raw) as
    trim(regexp_replace(lower(raw), '[^a-z]+', ' ', 'g'))
