-- The invoice lines of `invoices_to` in the window (`after`, `as_of`]: the day after the
-- boundary up to and including the as-of day.
create or replace macro macros.main.invoices_between(ws, after, as_of) as table
    select *
    from macros.invoices_to(ws, as_of)
    where date > after
