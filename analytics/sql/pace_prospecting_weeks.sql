-- Prospecting hours per ISO week (Monday start), every week from the first week with any
-- activity or time entry up to the last complete week on or before $as_of, zeros included.
-- Prospecting = activities of prospecting kinds (prospecting, cold calls, mailshots,
-- outreach), calls and emails to someone who had not been invoiced before that day, and
-- time entries in a prospecting / sales / business-development category.
with activity_source as (
    select
        date,
        customer,
        minutes,
        trim(regexp_replace(lower(coalesce(type, '')), '[^a-z]+', ' ', 'g')) as kind
    from activities
    where workspace_id = $ws and date is not null and date <= $as_of
),

first_invoice as (
    select customer, min(date) as first_invoiced
    from invoices
    where workspace_id = $ws
    group by customer
),

activity_classified as (
    select
        a.date,
        case
            when a.kind like '%cold%' then 'cold call'
            when a.kind like '%mailshot%' or a.kind like '%mail shot%' or a.kind like '%mailing%'
                then 'mailshot'
            when a.kind like '%prospect%' or a.kind like '%outreach%' then 'prospecting'
            when a.kind like '%call%' or a.kind like '%phone%' then 'call'
            when a.kind like '%email%' or a.kind like '%e mail%' then 'email'
            else 'other'
        end as kind,
        a.minutes,
        a.customer is not null
        and (f.first_invoiced is null or f.first_invoiced > a.date) as to_non_customer
    from activity_source as a
    left join first_invoice as f on a.customer = f.customer
),

activity_hours as (
    select
        date_trunc('week', date)::date as week_start,
        sum(
            coalesce(
                minutes,
                case kind
                    when 'cold call' then $minutes_cold_call
                    when 'mailshot' then $minutes_mailshot
                    when 'prospecting' then $minutes_prospecting
                    when 'call' then $minutes_call
                    else $minutes_email
                end
            )
        ) / 60.0 as hours
    from activity_classified
    where kind in ('cold call', 'mailshot', 'prospecting')
        or (kind in ('call', 'email') and to_non_customer)
    group by 1
),

time_hours as (
    select date_trunc('week', date)::date as week_start, sum(hours) as hours
    from time_entries
    where workspace_id = $ws and date <= $as_of and hours is not null
        and (
            lower(category) like '%prospect%'
            or lower(category) in ('sales', 'selling', 'business development', 'bd', 'new business')
        )
    group by 1
),

bounds as (
    select
        least(
            (select min(date) from activities where workspace_id = $ws),
            (select min(date) from time_entries where workspace_id = $ws)
        ) as first_day,
        -- the last complete ISO week: the week ending on or before $as_of
        (date_trunc('week', $as_of::date + 1) - interval 7 day)::date as last_week
),

weeks as (
    select unnest(generate_series(date_trunc('week', first_day), last_week, interval 7 day))::date
        as week_start
    from bounds
    where first_day is not null and date_trunc('week', first_day) <= last_week
),

final as (
    select
        w.week_start,
        coalesce(a.hours, 0) as activity_hours,
        coalesce(t.hours, 0) as time_entry_hours,
        coalesce(a.hours, 0) + coalesce(t.hours, 0) as hours
    from weeks as w
    left join activity_hours as a on w.week_start = a.week_start
    left join time_hours as t on w.week_start = t.week_start
)

select * from final
order by week_start
