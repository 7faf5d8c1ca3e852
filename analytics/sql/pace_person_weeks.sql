-- Hours logged per person per ISO week over the $weeks complete weeks ending on or before
-- $as_of; only weeks in which the person logged something (an empty week may be a holiday).
with bounds as (
    select (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week
),

logged as (
    -- whole weeks per person (person_weeks: the hours not below zero)
    select person, week_start, hours
    from person_weeks, bounds
    where workspace_id = $ws and hours is not null
        and week_start >= last_week - to_days(7 * ($weeks - 1))
        and week_start <= last_week
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
