-- Customers ranked by tickets opened in the last 12 months ($current_after, $as_of], most
-- first: complaints only ($complaints_only: type contains "complain") or every ticket.
-- Only customers with at least one such ticket count; ties are broken by name, so the top
-- 20 % is exactly ceil(20 % of them) customers (k20; k4 for the top 4 %). $segments (an
-- empty list: every segment) keeps those segments' customers. Columns as
-- fit_revenue_ranks (value = tickets), plus hours on those tickets.
with source_tickets as (
    select customer, hours, macros.is_complaint(type) as complaint
    from macros.tickets_between($ws, $current_after, $as_of)
),

by_customer as (
    select customer, count(*)::double as value,
        sum(hours) filter (where hours >= 0)::double as hours
    from source_tickets
    where complaint or not $complaints_only
    group by customer
),

final as (
    select * from macros.customer_pareto($ws, by_customer, $segments)
)

select * from final
order by rank
