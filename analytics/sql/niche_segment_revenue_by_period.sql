-- Revenue and customers with revenue per segment per period (month, quarter or year, as
-- $grain), every period from the first invoice up to the one holding $as_of, zeros included.
-- Quarters and years start in the fiscal year's first month ($fiscal_shift = months after
-- January). `share` is the segment's part of that period's revenue. The first and last
-- periods may be partial.
with source_invoices as (
    -- the lines summed per customer and day (the invoice_days fact): the same sums from a
    -- sixth of the rows at the large demo
    select date, customer, amount
    from macros.invoice_days_to($ws, $as_of)
),

customer_months as (
    -- months first: the period arithmetic then runs on a few rows per customer, not per line
    select customer, date_trunc('month', date)::date as month, sum(amount) as revenue
    from source_invoices
    group by all
),

customer_periods as (
    select
        macros.period_start($grain, month, $fiscal_shift) as period_start,
        customer,
        sum(revenue) as revenue
    from customer_months
    group by all
),

cleaned as (
    select period_start, revenue, segment
    from macros.with_segment($ws, customer_periods)
),

by_segment as (
    select
        period_start,
        segment,
        sum(revenue) as revenue,
        count(*) filter (where revenue > 0) as customers
    from cleaned
    group by all
),

final as (
    select
        period_start,
        segment,
        coalesce(revenue, 0)::double as revenue,
        coalesce(customers, 0) as customers,
        case when sum(revenue) over (partition by period_start) > 0
            then (coalesce(revenue, 0) / sum(revenue) over (partition by period_start))::double
        end as share
    from macros.segment_period_figures(cleaned, by_segment, $grain, $as_of, $fiscal_shift)
)

select * from final
order by period_start, segment
