-- New customers (first-ever invoice) per segment per period (month, quarter or year, as
-- $grain), every period from the first invoice up to the one holding $as_of, zeros included.
-- Quarters and years start in the fiscal year's first month ($fiscal_shift = months after
-- January). In the data's first months every existing customer counts as new.
with source_invoices as (
    select date, customer
    from invoices
    where workspace_id = $ws and date <= $as_of
        and date is not null and customer is not null and amount is not null
),

source_customers as (
    select customer, segment
    from customers_current
    where workspace_id = $ws
),

first_invoices as (
    select customer, min(date) as first_invoice
    from source_invoices
    group by customer
),

cleaned as (
    select
        (date_trunc($grain, f.first_invoice - to_months($fiscal_shift)) + to_months($fiscal_shift))::date
            as period_start,
        f.customer,
        coalesce(nullif(trim(c.segment), ''), '(no segment)') as segment
    from first_invoices as f
    left join source_customers as c on f.customer = c.customer
),

by_segment as (
    select period_start, segment, count(*) as new_customers
    from cleaned
    group by all
),

periods as (
    select unnest(generate_series(
        min(period_start),
        (date_trunc($grain, $as_of::date - to_months($fiscal_shift)) + to_months($fiscal_shift))::date,
        to_months(case $grain when 'month' then 1 when 'quarter' then 3 else 12 end)
    ))::date as period_start
    from cleaned
),

grid as (
    select p.period_start, s.segment
    from periods as p
    cross join (select distinct segment from cleaned) as s
),

final as (
    select
        g.period_start,
        g.segment,
        coalesce(b.new_customers, 0) as new_customers
    from grid as g
    left join by_segment as b on g.period_start = b.period_start and g.segment = b.segment
)

select * from final
order by period_start, segment
