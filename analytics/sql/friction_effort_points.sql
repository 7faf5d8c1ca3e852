-- The points of the estimated-vs-actual chart, from the judged won deals in `deals` (the
-- effort_overrun indicator's own rows, filtered as the page shows them; both hours above 0).
-- Up to $cap deals are all shown (shown = 'all'). Beyond that: every deal among the $keep
-- biggest overruns in hours over the estimate or the $keep biggest in share over it (shown =
-- 'overrun'), and of the rest every k-th in a stable order (estimated hours, hours logged,
-- deal id), k chosen so the chart holds at most $cap points (shown = 'sample'): dense
-- clusters thin out in proportion, and the same rows always give the same points.
-- total, overruns and low / high (the smallest and largest hours of any deal, for the axes)
-- are over every deal, shown or not.
with source as (
    select
        deal_id::varchar as deal_id,
        owner::varchar as owner,
        customer::varchar as customer,
        estimated_hours::double as estimated_hours,
        actual_hours::double as actual_hours
    from deals
    where estimated_hours > 0 and actual_hours > 0
),

ranked as (
    select
        *,
        actual_hours - estimated_hours as hours_over,
        row_number() over (
            order by actual_hours - estimated_hours desc, actual_hours / estimated_hours desc, deal_id
        ) as by_hours,
        row_number() over (
            order by actual_hours / estimated_hours desc, actual_hours - estimated_hours desc, deal_id
        ) as by_share,
        count(*) over () as total,
        min(least(estimated_hours, actual_hours)) over () as low,
        max(greatest(estimated_hours, actual_hours)) over () as high
    from source
),

flagged as (
    select
        *,
        total > $cap and hours_over > 0 and (by_hours <= $keep or by_share <= $keep) as overrun
    from ranked
),

counted as (
    select
        *,
        row_number() over (
            partition by overrun order by estimated_hours, actual_hours, deal_id
        ) as place,
        count(*) over (partition by overrun) as in_group,
        count_if(overrun) over () as overruns
    from flagged
),

final as (
    select
        deal_id,
        owner,
        customer,
        estimated_hours,
        actual_hours,
        hours_over,
        case
            when total <= $cap then 'all'
            when overrun then 'overrun'
            when $cap > overruns
                and (place - 1) % ceil(in_group / ($cap - overruns))::bigint = 0 then 'sample'
        end as shown,
        total,
        overruns,
        low,
        high
    from counted
)

select * from final
where shown is not null
order by owner, estimated_hours, actual_hours, deal_id
