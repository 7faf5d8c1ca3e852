-- Each customer's first-ever invoice up to `as_of` (the day they became a customer) and
-- their segment as figures group it: customer, first_invoice, segment.
create or replace macro macros.main.first_invoices(ws, as_of) as table
    with firsts as (
        select customer, min(date) as first_invoice
        from macros.invoices_to(ws, as_of)
        group by customer
    )

    select
        f.customer,
        f.first_invoice,
        macros.segment_or_none(c.segment) as segment
    from firsts as f
    left join macros.current_customers(ws) as c on f.customer = c.customer
