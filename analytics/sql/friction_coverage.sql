-- Hours logged per person per ISO week over the $weeks complete weeks ending on or before
-- $as_of, against a capacity of $capacity hours a week. A person counts from the week of their
-- first time entry ever (weeks before it are left out); from then on a week with nothing logged
-- counts as 0. logged_in_window says whether the person logged anything in these weeks at all.
-- Weeks without capacity (capacity 0) keep their row but have no coverage: they never divide.
with bounds as (
    select
        (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week,
        (date_trunc('week', $as_of::date + 1) - to_days(7 * $weeks))::date as first_week
),

weeks as (
    select w::date as week_start
    from bounds, generate_series(first_week, last_week, interval 7 day) as s (w)
),

people as (
    -- read per person and week (person_weeks: the hours not below zero, null when none)
    select t.person, min(t.week_start) as first_week
    from person_weeks as t, bounds as b
    where t.workspace_id = $ws and t.hours is not null and t.week_start <= b.last_week
    group by t.person
),

logged as (
    select t.person, t.week_start, t.hours
    from person_weeks as t, bounds as b
    where t.workspace_id = $ws and t.hours is not null
        and t.week_start >= b.first_week and t.week_start <= b.last_week
),

grid as (
    select
        p.person,
        w.week_start,
        coalesce(l.hours, 0)::double as hours,
        $capacity::double as capacity
    from people as p
    inner join weeks as w on p.first_week <= w.week_start
    left join logged as l on p.person = l.person and w.week_start = l.week_start
),

final as (
    select
        person,
        week_start,
        hours,
        capacity,
        case when capacity > 0 then hours / capacity end as coverage,
        case when capacity > 0 then least(hours, capacity) end as covered_hours,
        sum(hours) over (partition by person) > 0 as logged_in_window
    from grid
)

select * from final
order by person, week_start
