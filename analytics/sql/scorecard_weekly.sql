-- The weekly scorecard's measurables: one row per measurable per ISO week, for the
-- $weeks complete weeks ending on or before $as_of, zeros included.
with bounds as (
    select
        (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week,
        (date_trunc('week', $as_of::date + 1) - to_days(7 * $weeks))::date as first_week
),

weeks as (
    select unnest(generate_series(first_week, last_week, interval 7 day))::date as week_start
    from bounds
),

first_invoices as (
    select customer, min(date) as first_day
    from invoices
    where workspace_id = $ws
    group by 1
),

-- what the counted measurables count or add up: one row per thing on the day it happened,
-- 1 to count it (money stays DECIMAL, so a week's total is exact before it is a double)
happened as (
    select 'activities' as measurable, date as day, 1 as value
    from activities
    where workspace_id = $ws
    union all
    select 'deals_won', closed, 1 from deals_current where workspace_id = $ws and status = 'won'
    union all
    select 'won_value', closed, value
    from deals_current
    where workspace_id = $ws and status = 'won'
    union all
    select 'revenue', date, amount from invoices where workspace_id = $ws
    union all
    select 'new_customers', first_day, 1 from first_invoices
    union all
    select 'tickets', opened, 1 from tickets where workspace_id = $ws
),

logged as (
    select
        date_trunc('week', date)::date as week_start,
        sum(hours)::double as hours,
        sum(hours) filter (where billable)::double as billable_hours,
        count(billable) as with_flag
    from time_entries, bounds
    where workspace_id = $ws and date >= first_week and date < last_week + 7 and hours >= 0
    group by 1
),

weekly as (
    select measurable, date_trunc('week', day)::date as week_start, sum(value)::double as value
    from happened, bounds
    where day >= first_week and day < last_week + 7
    group by all
    union all
    select 'hours_logged', week_start, hours from logged
),

measurables as (
    select unnest([
        'activities', 'deals_won', 'won_value', 'revenue', 'new_customers', 'tickets',
        'hours_logged'
    ]) as measurable
),

final as (
    -- one row per measurable per week, 0 where nothing happened; the billable share only
    -- where the export says what is billable (else a null row)
    select w.week_start, m.measurable, coalesce(v.value, 0) as value
    from weeks as w
    cross join measurables as m
    left join weekly as v on m.measurable = v.measurable and w.week_start = v.week_start
    union all
    select
        w.week_start,
        'billable_share',
        case when l.with_flag > 0 then coalesce(l.billable_hours, 0) / nullif(l.hours, 0) end
    from weeks as w
    left join logged as l using (week_start)
)

select * from final
order by measurable, week_start
