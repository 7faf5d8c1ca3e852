-- Per segment: revenue in the last 12 months ($current_after, $as_of] against the 12 before
-- ($prior_after, $current_after] and against the first full 12-month window in the data
-- ($first_full_after, $first_full_to], $first_full_years before the last, for CAGR; with
-- customers with revenue and new customers (first-ever invoice) in the last 12 months, and
-- customers with revenue in the 12 before (the base a growth rate stands on).
-- A day exactly 12 months before as_of belongs to the earlier window. Customers without a
-- segment are pooled as '(no segment)'. trend: lost (revenue before, none now), new (the
-- reverse), shrinking, growing or flat.
with source_invoices as (
    select date, customer, amount
    from macros.invoice_days_to($ws, $as_of)
),

by_customer as (
    select
        customer,
        sum(amount) filter (where date > $current_after) as revenue,
        sum(amount) filter (where date > $prior_after and date <= $current_after) as revenue_prior,
        sum(amount) filter (
            where date > $first_full_after and date <= $first_full_to
        ) as revenue_first_full,
        min(date) as first_invoice
    from source_invoices
    group by customer
),

cleaned as (
    select * from macros.with_segment($ws, by_customer)
),

by_segment as (
    select
        segment,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(revenue_prior), 0) as revenue_prior,
        coalesce(sum(revenue_first_full), 0) as revenue_first_full,
        count(*) filter (where revenue > 0) as customers,
        count(*) filter (where revenue_prior > 0) as customers_prior,
        count(*) filter (where first_invoice > $current_after) as new_customers
    from cleaned
    group by segment
),

final as (
    select
        segment,
        revenue::double as revenue,
        revenue_prior::double as revenue_prior,
        revenue_first_full::double as revenue_first_full,
        case when sum(revenue) over () > 0
            then (revenue / sum(revenue) over ())::double end as share,
        case when revenue_prior > 0
            then ((revenue - revenue_prior) / revenue_prior)::double end as growth,
        case
            when $first_full_years >= 1 and revenue_first_full > 0 and revenue >= 0
                then power(revenue / revenue_first_full, 1.0 / $first_full_years)::double - 1
        end as cagr,
        case when $first_full_years >= 1 then $first_full_years end as cagr_years,
        customers,
        customers_prior,
        new_customers
    from by_segment
    where revenue <> 0 or revenue_prior <> 0 or revenue_first_full <> 0
),

judged as (
    -- the trend, from the figures as the frame holds them (doubles); the first case that
    -- holds wins
    select
        *,
        case
            when revenue <= 0 and revenue_prior > 0 then 'lost'
            when revenue_prior <= 0 and revenue > 0 then 'new'
            when revenue < revenue_prior then 'shrinking'
            when revenue > revenue_prior then 'growing'
            else 'flat'
        end as trend
    from final
)

select * from judged
order by revenue desc, segment
