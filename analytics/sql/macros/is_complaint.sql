-- A ticket counts as a complaint when its type contains "complain" (any case); a ticket
-- without a type is not one.
create or replace macro macros.main.is_complaint(type) as
    coalesce(type ilike '%complain%', false)
