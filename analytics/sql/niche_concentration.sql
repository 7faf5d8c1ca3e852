-- How concentrated the last 12 months' revenue ($current_after, $as_of] is across segments:
-- each segment's share, largest first, with the running share, whether it is among the fewest
-- segments that make 80 % of revenue, and the Herfindahl index (sum of squared shares).
-- Only segments with net positive revenue count; customers without a segment are left out
-- of the shares and reported as `unsegmented_revenue`.
with source_invoices as (
    select customer, amount
    from macros.invoice_days_between($ws, $current_after, $as_of)
),

cleaned as (
    select
        i.amount,
        macros.trimmed(c.segment) as segment
    from source_invoices as i
    left join macros.current_customers($ws) as c on i.customer = c.customer
),

unsegmented as (
    select coalesce(sum(amount), 0) as revenue from cleaned where segment is null
),

segments as (
    select segment, sum(amount) as revenue
    from cleaned
    where segment is not null
    group by segment
    having sum(amount) > 0
),

ranked as (
    select
        segment,
        revenue,
        row_number() over (order by revenue desc, segment) as rank,
        sum(revenue) over () as total,
        coalesce(sum(revenue) over (
            order by revenue desc, segment rows between unbounded preceding and 1 preceding
        ), 0) as revenue_before
    from segments
),

final as (
    select
        segment,
        rank,
        revenue::double as revenue,
        (revenue / total)::double as share,
        ((revenue_before + revenue) / total)::double as cumulative_share,
        -- still needed to reach 80 %: the running share before this segment is short of it
        revenue_before < 0.8 * total as in_80,
        sum(power((revenue / total)::double, 2)) over () as hhi,
        count(*) filter (where revenue_before < 0.8 * total) over () as segments_for_80,
        total::double as segmented_revenue,
        (select revenue from unsegmented)::double as unsegmented_revenue
    from ranked
)

select * from final
order by rank
