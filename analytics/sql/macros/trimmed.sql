-- Free text as the figures read it: trimmed, and null when blank (a segment, region or
-- channel typed as spaces is no segment, region or channel).
create or replace macro macros.main.trimmed(raw) as
    nullif(trim(raw), '')
