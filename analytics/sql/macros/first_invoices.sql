-- Each customer's first-ever invoice up to `as_of` (the day they became a customer) and
-- their segment as figures group it: customer, first_invoice, segment.
create or replace macro macros.main.first_invoices(ws, as_of) as table
    with firsts as (
        select customer, min(date) as first_invoice
        from macros.invoice_days_to(ws, as_of)
        group by customer
    )

    select * from macros.with_segment(ws, firsts)
