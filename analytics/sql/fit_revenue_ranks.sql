-- Customers ranked by revenue in the last 12 months ($current_after, $as_of], largest first.
-- Only customers whose revenue in the window is above zero count. Ties are broken by name,
-- so "the top 20 %" is always exactly ceil(20 % of the customers counted) customers, the
-- same ones every time (k20, and k4 for the top 4 %, in integer arithmetic). $segments
-- (an empty list: every segment) keeps the customers of those segments only; customers
-- without a segment are '(no segment)'. gini repeats on every row: 0 when every customer
-- pays the same, near 1 when one pays it all.
with source_invoices as (
    select customer, amount
    from invoices
    where workspace_id = $ws and date > $current_after and date <= $as_of
        and customer is not null and amount is not null
),

source_customers as (
    select customer, segment
    from customers_current
    where workspace_id = $ws
),

by_customer as (
    select customer, sum(amount)::double as value
    from source_invoices
    group by customer
    having sum(amount) > 0
),

cleaned as (
    select
        b.customer,
        coalesce(nullif(trim(c.segment), ''), '(no segment)') as segment,
        b.value
    from by_customer as b
    left join source_customers as c on b.customer = c.customer
),

filtered as (
    select *
    from cleaned
    where len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment)
),

ranked as (
    select
        *,
        row_number() over (order by value desc, customer) as rank,
        count(*) over () as customers,
        sum(value) over () as total
    from filtered
),

final as (
    select
        customer,
        segment,
        value,
        rank,
        customers,
        ((customers * 20 + 99) // 100)::integer as k20,
        ((customers * 4 + 99) // 100)::integer as k4,
        value / total as share,
        sum(value) over (order by rank rows between unbounded preceding and current row)
            / total as cumulative_share,
        rank <= (customers * 20 + 99) // 100 as top20,
        rank <= (customers * 4 + 99) // 100 as top4,
        -- Gini from the ascending order (position customers + 1 - rank)
        2.0 * sum((customers + 1 - rank) * value) over () / (customers * total)
            - (customers + 1.0) / customers as gini
    from ranked
)

select * from final
order by rank
