-- What each customer was invoiced in the window (`after`, `as_of`] (the lines of
-- `invoices_between`): revenue, invoice cost (the costs given; none: 0) and cost_lines, the
-- lines that carry a cost.
create or replace macro macros.main.customer_takings(ws, after, as_of) as table
    select
        customer,
        sum(amount)::double as revenue,
        coalesce(sum(cost), 0)::double as invoice_cost,
        count(cost) as cost_lines
    from macros.invoices_between(ws, after, as_of)
    group by customer
