-- Per segment over the last 12 months ($current_after, $as_of]: customers with revenue,
-- revenue, margin and tickets per such customer, and churn: the share of customers with
-- revenue in the 12 months before ($prior_after, $current_after] who have none in the last 12.
-- Margin = revenue - invoice cost (where given) - hours logged on the segment's customers at
-- the cost rate of the role ($rate_tech, $rate_sales, $rate_admin, else $rate_default); it is
-- null when the workspace has neither invoice costs nor time entries naming a customer.
with bounds as (
    select $current_after::date as recent_after
),

source_invoices as (
    select i.customer, i.amount, i.cost, i.date > b.recent_after as recent
    from macros.invoices_between($ws, $prior_after::date, $as_of) as i, bounds as b
),

source_time as (
    select t.customer, t.hours, lower(trim(t.role)) as role
    from time_entries as t, bounds as b
    where t.workspace_id = $ws and t.date > b.recent_after and t.date <= $as_of
        and t.customer is not null and t.hours >= 0
),

source_tickets as (
    select customer
    from macros.tickets_between($ws, $current_after::date, $as_of)
),

cleaned_customers as (
    select
        k.customer,
        macros.segment_or_none(c.segment) as segment
    from (
        select customer from macros.current_customers($ws)
        union
        select customer from source_invoices
    ) as k
    left join macros.current_customers($ws) as c on k.customer = c.customer
),

customer_revenue as (
    select
        customer,
        coalesce(sum(amount) filter (where recent), 0) as revenue,
        coalesce(sum(cost) filter (where recent), 0) as cost,
        count(cost) filter (where recent) as cost_lines,
        coalesce(sum(amount) filter (where not recent), 0) as revenue_prior
    from source_invoices
    group by customer
),

customer_time as (
    select
        customer,
        sum(
            hours * macros.cost_rate(role, $rate_tech, $rate_sales, $rate_admin, $rate_default)
        ) as time_cost
    from source_time
    group by customer
),

customer_tickets as (
    select customer, count(*) as tickets
    from source_tickets
    group by customer
),

per_customer as (
    select
        c.segment,
        coalesce(r.revenue, 0) as revenue,
        coalesce(r.cost, 0) as cost,
        coalesce(r.cost_lines, 0) as cost_lines,
        coalesce(t.time_cost, 0) as time_cost,
        t.customer is not null as has_time,
        coalesce(k.tickets, 0) as tickets,
        coalesce(r.revenue, 0) > 0 as active,
        coalesce(r.revenue_prior, 0) > 0 as was_active
    from cleaned_customers as c
    left join customer_revenue as r on c.customer = r.customer
    left join customer_time as t on c.customer = t.customer
    left join customer_tickets as k on c.customer = k.customer
),

by_segment as (
    select
        segment,
        count(*) filter (where active) as customers,
        sum(revenue) as revenue,
        sum(revenue) - sum(cost) - sum(time_cost) as margin,
        sum(tickets) as tickets,
        count(*) filter (where was_active) as prior_customers,
        count(*) filter (where was_active and not active) as churned,
        sum(cost_lines) as cost_lines,
        count(*) filter (where has_time) as customers_with_time
    from per_customer
    group by segment
),

final as (
    select
        segment,
        customers,
        case when customers > 0 then (revenue / customers)::double end as revenue_per_customer,
        case when customers > 0 and sum(cost_lines + customers_with_time) over () > 0
            then (margin / customers)::double end as margin_per_customer,
        case when customers > 0 then tickets / customers end as tickets_per_customer,
        prior_customers,
        churned,
        case when prior_customers > 0 then churned / prior_customers end as churn
    from by_segment
    where customers > 0 or prior_customers > 0
)

select * from final
order by customers desc, segment
