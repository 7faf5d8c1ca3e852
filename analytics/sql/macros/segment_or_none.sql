-- A customer's segment as every figure groups it: trimmed, and '(no segment)' when blank or
-- missing (also a customer absent from customers_current, whose left-joined segment is null).
create or replace macro macros.main.segment_or_none(raw) as
    coalesce(macros.trimmed(raw), '(no segment)')
