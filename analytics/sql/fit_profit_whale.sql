-- The profit whale curve over the last 12 months ($current_after, $as_of]: what each
-- customer earned you after the cost to serve them, ranked most profitable first, with the
-- running total of profit as a share of the whole.
--
-- profit = revenue - invoice cost (where given)
--          - delivery: hours logged to the customer in time entries at the cost rate of
--            the role (role starting "tech" $rate_tech, "sales" $rate_sales, "admin"
--            $rate_admin, anything else or none $rate_default)
--          - support: hours on the customer's tickets opened in the window at $rate_support
-- Customers with revenue in the window, and customers invoiced before who still took time
-- or tickets in it (prospects, never invoiced, are left out); negative hours are left out
-- (flagged at import). Ranked by profit, largest first, ties by name; `cumulative` is the
-- running profit, `cumulative_share` its share of the total profit (null when the total is
-- not above zero). The peak is the first rank where the running profit is highest:
-- `peak_rank` customers earn `peak_profit`. cost_lines counts invoice lines carrying a cost.
with invoiced_before as (
    select distinct customer
    from macros.invoices_to($ws, $as_of)
),

revenue as (
    select * from macros.customer_takings($ws, $current_after, $as_of)
),

delivery as (
    select customer, hours as delivery_hours, time_cost as delivery_cost
    from macros.customer_time_cost(
        $ws, $current_after, $as_of, $rate_tech, $rate_sales, $rate_admin, $rate_default
    )
),

support as (
    select customer, coalesce(sum(hours) filter (where hours >= 0), 0)::double as support_hours
    from macros.tickets_between($ws, $current_after, $as_of)
    group by customer
),

customers as (
    select customer from revenue
    union
    select customer from delivery
    union
    select customer from support
),

joined as (
    -- a figure the customer has none of is 0
    select
        c.customer,
        coalesce(columns(r.* exclude (customer)), 0),
        coalesce(columns(d.* exclude (customer)), 0),
        coalesce(columns(s.* exclude (customer)), 0)
    from customers as c
    left join revenue as r on c.customer = r.customer
    left join delivery as d on c.customer = d.customer
    left join support as s on c.customer = s.customer
    where r.customer is not null
        or c.customer in (select customer from invoiced_before)
),

costed as (
    select
        *,
        invoice_cost + delivery_cost + support_cost as cost,
        revenue - invoice_cost - delivery_cost - support_cost as profit
    from (select *, support_hours * $rate_support as support_cost from joined)
),

valued as (
    select *, profit as value from costed
),

ranked as (
    -- the 80/20 ranking's order (profit largest first, ties by name) and count; its shares
    -- are of a total that can be zero or less here, so the running total is kept in money
    select
        * exclude (value, k20, k4, share, cumulative_share, top20, top4, gini),
        sum(profit) over () as total_profit,
        sum(profit) over (order by rank rows between unbounded preceding and current row)
            as cumulative
    from macros.customer_pareto($ws, valued, [])
),

peaked as (
    select *, max(cumulative) over () as peak_profit
    from ranked
),

final as (
    select
        p.customer,
        p.segment,
        p.revenue,
        p.invoice_cost,
        p.delivery_hours,
        p.delivery_cost,
        p.support_hours,
        p.support_cost,
        p.cost,
        p.profit,
        p.profit < 0 as loss_making,
        p.cost_lines,
        p.rank,
        p.customers,
        p.cumulative,
        case when p.total_profit > 0 then p.cumulative / p.total_profit end as cumulative_share,
        p.total_profit,
        p.peak_profit,
        min(p.rank) filter (where p.cumulative = p.peak_profit) over () as peak_rank
    from peaked as p
)

select * from final
order by rank
