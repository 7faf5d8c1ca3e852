-- The 80/20 ranking (pareto_ranks) of a table of customers' figures (`by_customer`:
-- customer, value, and any other columns, carried along) in workspace `ws`, each customer
-- with its segment as figures group it (segment_or_none of customers_current; a customer
-- absent from it is '(no segment)'): customer, segment, the other columns in their order,
-- then pareto_ranks' columns. `segments` as in pareto_ranks (an empty list: every segment).
create or replace macro macros.main.customer_pareto(ws, by_customer, segments) as table
    with segmented as (
        select customer, segment, * exclude (customer, segment)
        from macros.with_segment(ws, by_customer)
    )

    select * from macros.pareto_ranks(segmented, segments)
