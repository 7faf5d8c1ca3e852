-- Customers ranked by revenue in the last 12 months ($current_after, $as_of], largest first.
-- Only customers whose revenue in the window is above zero count. Ties are broken by name,
-- so "the top 20 %" is always exactly ceil(20 % of the customers counted) customers, the
-- same ones every time (k20, and k4 for the top 4 %: see macros/pareto_ranks.sql and customer_pareto.sql). $segments
-- (an empty list: every segment) keeps the customers of those segments only; customers
-- without a segment are '(no segment)'. gini repeats on every row: 0 when every customer
-- pays the same, near 1 when one pays it all.
with by_customer as (
    select customer, sum(amount)::double as value
    from macros.invoice_days_between($ws, $current_after, $as_of)
    group by customer
    having sum(amount) > 0
),

final as (
    select * from macros.customer_pareto($ws, by_customer, $segments)
)

select * from final
order by rank
