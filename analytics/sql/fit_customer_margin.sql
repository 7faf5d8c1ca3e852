-- What each customer earned you over the last 12 months ($current_after, $as_of]:
-- revenue - invoice cost (where given) - hours logged to the customer in time entries at
-- the cost rate of the role (role starting "tech" $rate_tech, "sales" $rate_sales, "admin"
-- $rate_admin, anything else or none $rate_default). Customers with revenue in the window,
-- and customers invoiced before who still took time in it (prospects, never invoiced, are
-- left out). A customer without time entries has no time cost. cost_lines counts the
-- invoice lines that carry a cost.
with invoiced_before as (
    select distinct customer
    from invoices
    where workspace_id = $ws and date <= $as_of and customer is not null
),

revenue as (
    select * from macros.customer_takings($ws, $current_after, $as_of)
),

time_cost as (
    select *
    from macros.customer_time_cost(
        $ws, $current_after, $as_of, $rate_tech, $rate_sales, $rate_admin, $rate_default
    )
),

joined as (
    -- a figure the customer has none of is 0
    select
        customer,
        coalesce(columns(r.* exclude (customer)), 0),
        coalesce(columns(t.* exclude (customer)), 0)
    from revenue as r
    full join time_cost as t using (customer)
    where r.customer is not null
        or t.customer in (select customer from invoiced_before)
),

final as (
    select
        j.customer,
        j.segment,
        j.revenue,
        j.invoice_cost,
        j.hours,
        j.time_cost,
        j.invoice_cost + j.time_cost as cost,
        j.revenue - j.invoice_cost - j.time_cost as margin,
        case when j.revenue > 0 then (j.revenue - j.invoice_cost - j.time_cost) / j.revenue end
            as margin_share,
        j.revenue - j.invoice_cost - j.time_cost < 0 as loss_making,
        j.cost_lines
    from macros.with_segment($ws, joined) as j
)

select * from final
order by margin, customer
