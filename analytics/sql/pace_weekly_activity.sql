-- Sales activities per ISO week over the $weeks complete weeks ending on or before $as_of,
-- zeros included (a silent week is part of the pattern).
with bounds as (
    select (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week
),

weeks as (
    select unnest(generate_series(
        last_week - to_days(7 * ($weeks - 1)), last_week, interval 7 day
    ))::date as week_start
    from bounds
),

counted as (
    select date_trunc('week', date)::date as week_start, count(*) as activities
    from activities
    where workspace_id = $ws and date is not null and date <= $as_of
    group by 1
),

final as (
    select w.week_start, coalesce(c.activities, 0) as activities
    from weeks as w
    left join counted as c on w.week_start = c.week_start
)

select * from final
order by week_start
