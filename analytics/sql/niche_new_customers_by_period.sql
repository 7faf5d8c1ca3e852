-- New customers (first-ever invoice) per segment per period (month, quarter or year, as
-- $grain), every period from the first invoice up to the one holding $as_of, zeros included.
-- Quarters and years start in the fiscal year's first month ($fiscal_shift = months after
-- January). In the data's first months every existing customer counts as new.
with cleaned as (
    select
        macros.period_start($grain, first_invoice, $fiscal_shift) as period_start,
        customer,
        segment
    from macros.first_invoices($ws, $as_of)
),

by_segment as (
    select period_start, segment, count(*) as new_customers
    from cleaned
    group by all
),

final as (
    select period_start, segment, coalesce(new_customers, 0) as new_customers
    from macros.segment_period_figures(cleaned, by_segment, $grain, $as_of, $fiscal_shift)
)

select * from final
order by period_start, segment
