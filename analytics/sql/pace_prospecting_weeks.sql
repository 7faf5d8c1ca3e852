-- Prospecting hours per ISO week (Monday start), every week from the first week with any
-- activity or time entry up to the last complete week on or before $as_of, zeros included.
-- Prospecting = activities whose type contains one of $prospecting_terms (the owner's list
-- in Settings, lowercased with punctuation as spaces, like the types here), except that
-- calls and emails count only to someone who had not been invoiced before that day; and
-- time entries in a prospecting / sales / business-development category. The kind of a
-- type (cold call, mailshot, call…) picks its default minutes and the calls-and-emails rule.
-- Read from the weekly fact tables activity_weeks and category_weeks: a week counts whole
-- or not at all (every week shown ends on or before $as_of), so whole weeks are enough.
with kinds as materialized (
    -- classify each distinct type once (a handful of strings), not each of many rows;
    -- materialized, or the optimizer pushes the classification back down into the scan
    select
        type,
        case
            when k like '%cold%' then 'cold call'
            when k like '%mailshot%' or k like '%mail shot%' or k like '%mailing%'
                then 'mailshot'
            when k like '%prospect%' or k like '%outreach%' then 'prospecting'
            when k like '%call%' or k like '%phone%' then 'call'
            when k like '%email%' or k like '%e mail%' then 'email'
            else 'other'
        end as kind,
        len(list_filter($prospecting_terms::varchar[], lambda t: contains(k, t))) > 0 as counts
    from (
        select
            type,
            macros.type_words(coalesce(type, '')) as k
        from (select distinct type from activity_weeks where workspace_id = $ws)
    )
),

activity_source as (
    -- a week's activities of one type, to non-customers or not (activity_weeks)
    select a.week_start, a.minutes, a.minutes_missing, k.kind, a.to_non_customer
    from activity_weeks as a
    inner join kinds as k on a.type = k.type  -- a missing type is no prospecting anyway
    where a.workspace_id = $ws and a.week_start is not null and k.counts
),

activity_hours as (
    select
        week_start,
        sum(
            coalesce(minutes, 0)
            + minutes_missing * case kind
                when 'cold call' then $minutes_cold_call
                when 'mailshot' then $minutes_mailshot
                when 'prospecting' then $minutes_prospecting
                when 'call' then $minutes_call
                when 'email' then $minutes_email
                else $minutes_prospecting  -- a type the owner added to the list
            end
        ) / 60.0 as hours
    from activity_source
    where kind not in ('call', 'email') or to_non_customer
    group by 1
),

time_hours as (
    select week_start, sum(hours) as hours
    from category_weeks
    where workspace_id = $ws
        and (
            lower(category) like '%prospect%'
            or lower(category) in ('sales', 'selling', 'business development', 'bd', 'new business')
        )
    group by 1
),

bounds as (
    select
        least(
            (select min(week_start) from activity_weeks where workspace_id = $ws),
            (select min(week_start) from category_weeks where workspace_id = $ws)
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
