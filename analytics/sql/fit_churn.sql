-- Who stopped buying, year by year. $ends holds as_of and the days 12, 24… months before it,
-- newest first; year k runs ($ends[k + 2], $ends[k + 1]], k = 0 the last 12 months. One row
-- per customer with revenue above zero in year k + 1 and k < $years (at most 5): churned when
-- they have no revenue above zero in year k. revenue_prior is their revenue in year k + 1,
-- last_invoice their last invoice date on or before the end of year k + 1.
with source_invoices as (
    select customer, date, amount
    from macros.invoice_days_between($ws, $ends[$years + 2], $as_of)
),

years as (
    select k, $ends[k + 2] as starts_after, $ends[k + 1] as ends_on
    from (select unnest(generate_series(0, $years)) as k)
),

customer_years as (
    -- the year of each line ($years is at most 5, so six years cover every line kept)
    select
        case
            when date > $ends[2] then 0
            when date > $ends[3] then 1
            when date > $ends[4] then 2
            when date > $ends[5] then 3
            when date > $ends[6] then 4
            when date > $ends[7] then 5
        end as k,
        customer,
        sum(amount)::double as revenue,
        max(date) as last_invoice
    from source_invoices
    group by all
    having sum(amount) > 0
),

final as (
    select
        p.k - 1 as k,
        y.starts_after + 1 as year_from,
        y.ends_on as year_to,
        p.customer,
        macros.segment_or_none(c.segment) as segment,
        p.revenue as revenue_prior,
        p.last_invoice,
        n.customer is null as churned
    from customer_years as p
    join years as y on y.k = p.k - 1
    left join customer_years as n on n.k = p.k - 1 and n.customer = p.customer
    left join macros.current_customers($ws) as c on p.customer = c.customer
    where p.k >= 1
)

select * from final
order by k, churned desc, revenue_prior desc, customer
