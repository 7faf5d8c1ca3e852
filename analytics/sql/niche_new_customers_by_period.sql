-- New customers (first-ever invoice) per segment per period (month, quarter or year, as
-- $grain), every period from the first invoice up to the one holding $as_of, zeros included.
-- Quarters and years start in the fiscal year's first month ($fiscal_shift = months after
-- January). In the data's first months every existing customer counts as new.
with source_invoices as (
    select date, customer
    from macros.invoices_to($ws, $as_of)
),

first_invoices as (
    select customer, min(date) as first_invoice
    from source_invoices
    group by customer
),

cleaned as (
    select
        macros.period_start($grain, f.first_invoice, $fiscal_shift) as period_start,
        f.customer,
        macros.segment_or_none(c.segment) as segment
    from first_invoices as f
    left join macros.current_customers($ws) as c on f.customer = c.customer
),

by_segment as (
    select period_start, segment, count(*) as new_customers
    from cleaned
    group by all
),

periods as (
    select unnest(generate_series(
        min(period_start),
        macros.period_start($grain, $as_of::date, $fiscal_shift),
        macros.period_length($grain)
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
