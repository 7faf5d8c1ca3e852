-- The customer-days of `invoice_days_to` in the window (`after`, `as_of`], like
-- `invoices_between`.
create or replace macro macros.main.invoice_days_between(ws, after, as_of) as table
    select *
    from macros.invoice_days_to(ws, as_of)
    where date > after
