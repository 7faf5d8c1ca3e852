-- The invoice lines (`invoices_to`) that tell what is open on `as_of` or how late customers
-- pay: those not paid, or paid in the 12 months to `as_of` (lines paid before tell neither).
create or replace macro macros.main.cash_lines(ws, as_of) as table
    select customer, date, amount, invoice_no, due, paid, recurring
    from macros.invoices_to(ws, as_of)
    where paid is null or paid > as_of::date - 365
