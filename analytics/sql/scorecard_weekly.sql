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

activity as (
    select date_trunc('week', date)::date as week_start, count(*)::double as value
    from activities, bounds
    where workspace_id = $ws and date >= first_week and date < last_week + 7
    group by 1
),

won as (
    select
        date_trunc('week', closed)::date as week_start,
        count(*)::double as deals,
        coalesce(sum(value), 0)::double as value
    from deals_current, bounds
    where workspace_id = $ws and status = 'won' and closed >= first_week and closed < last_week + 7
    group by 1
),

billed as (
    select date_trunc('week', date)::date as week_start, sum(amount)::double as value
    from invoices, bounds
    where workspace_id = $ws and date >= first_week and date < last_week + 7
    group by 1
),

first_invoices as (
    select customer, min(date) as first_day
    from invoices
    where workspace_id = $ws
    group by 1
),

new_customers as (
    select date_trunc('week', first_day)::date as week_start, count(*)::double as value
    from first_invoices, bounds
    where first_day >= first_week and first_day < last_week + 7
    group by 1
),

opened as (
    select date_trunc('week', opened)::date as week_start, count(*)::double as value
    from tickets, bounds
    where workspace_id = $ws and opened >= first_week and opened < last_week + 7
    group by 1
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

wide as (
    select
        w.week_start,
        coalesce(a.value, 0) as activities,
        coalesce(d.deals, 0) as deals_won,
        coalesce(d.value, 0) as won_value,
        coalesce(b.value, 0) as revenue,
        coalesce(n.value, 0) as new_customers,
        coalesce(o.value, 0) as tickets,
        coalesce(l.hours, 0) as hours_logged,
        -- billable share only where the export says what is billable
        case when l.with_flag > 0 then coalesce(l.billable_hours, 0) / nullif(l.hours, 0) end
            as billable_share
    from weeks as w
    left join activity as a using (week_start)
    left join won as d using (week_start)
    left join billed as b using (week_start)
    left join new_customers as n using (week_start)
    left join opened as o using (week_start)
    left join logged as l using (week_start)
),

final as (
    -- one row per measurable per week; a null billable share stays a row
    select week_start, measurable, value
    from wide unpivot include nulls (
        value for measurable in (
            activities, deals_won, won_value, revenue, new_customers, tickets, hours_logged,
            billable_share
        )
    )
)

select * from final
order by measurable, week_start
