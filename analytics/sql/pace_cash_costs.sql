-- What the business spent in the 13 weeks (91 days) to $as_of, as a weekly average: invoice
-- costs of the lines dated then plus hours logged then × the cost rate of their role ($rate_tech,
-- $rate_sales, $rate_admin, else $rate_default).
with invoice_cost as (
    select coalesce(sum(cost), 0)::double as cost
    from macros.invoices_to($ws, $as_of)
    where date > $as_of::date - 91
),

time_cost as (
    select
        coalesce(sum(hours), 0)::double as hours,
        coalesce(sum(
            hours * macros.cost_rate(role, $rate_tech, $rate_sales, $rate_admin, $rate_default)
        ), 0)::double as cost
    from time_entries
    where workspace_id = $ws and date > $as_of::date - 91 and date <= $as_of
        and hours is not null
)

select
    i.cost as invoice_cost,
    t.hours,
    t.cost as time_cost,
    (i.cost + t.cost) / 13 as weekly
from invoice_cost as i
cross join time_cost as t
