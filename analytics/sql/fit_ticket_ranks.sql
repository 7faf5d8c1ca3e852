-- Customers ranked by tickets opened in the last 12 months ($current_after, $as_of], most
-- first: complaints only ($complaints_only: type contains "complain") or every ticket.
-- Only customers with at least one such ticket count; ties are broken by name, so the top
-- 20 % is exactly ceil(20 % of them) customers (k20; k4 for the top 4 %). $segments (an
-- empty list: every segment) keeps those segments' customers. Columns as
-- fit_revenue_ranks (value = tickets), plus hours on those tickets.
with source_tickets as (
    select customer, hours, coalesce(type ilike '%complain%', false) as complaint
    from tickets
    where workspace_id = $ws and opened > $current_after and opened <= $as_of
        and customer is not null
),

source_customers as (
    select customer, segment
    from customers_current
    where workspace_id = $ws
),

by_customer as (
    select customer, count(*)::double as value,
        sum(hours) filter (where hours >= 0)::double as hours
    from source_tickets
    where complaint or not $complaints_only
    group by customer
),

cleaned as (
    select
        b.customer,
        coalesce(nullif(trim(c.segment), ''), '(no segment)') as segment,
        b.value,
        b.hours
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
        hours,
        rank,
        customers,
        ((customers * 20 + 99) // 100)::integer as k20,
        ((customers * 4 + 99) // 100)::integer as k4,
        value / total as share,
        sum(value) over (order by rank rows between unbounded preceding and current row)
            / total as cumulative_share,
        rank <= (customers * 20 + 99) // 100 as top20,
        rank <= (customers * 4 + 99) // 100 as top4,
        2.0 * sum((customers + 1 - rank) * value) over () / (customers * total)
            - (customers + 1.0) / customers as gini
    from ranked
)

select * from final
order by rank
