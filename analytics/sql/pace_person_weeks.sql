-- Hours logged per person per ISO week over the $weeks complete weeks ending on or before
-- $as_of; only weeks in which the person logged something (an empty week may be a holiday).
with bounds as (
    select (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week
),

logged as (
    select person, date_trunc('week', date)::date as week_start, sum(hours) as hours
    from time_entries, bounds
    where workspace_id = $ws and person is not null and hours >= 0
        and date >= last_week - to_days(7 * ($weeks - 1))
        and date < last_week + 7
    group by 1, 2
),

final as (
    select
        person,
        week_start,
        hours,
        case when hours > $high then 'too fast' when hours < $low then 'too slow' else 'sustainable' end
            as pace
    from logged
    where hours > 0
)

select * from final
order by person, week_start
