-- Days sales outstanding on $as_of and on each of the 12 month ends before it: receivables
-- open on the day (invoice lines dated on or before it, not paid by it: paid is null or later)
-- divided by the average daily revenue of the 90 days up to it (days d-89…d, ÷ 90). Also how
-- many lines up to $as_of carry a paid date (none: the figure cannot tell what is open).
with lines as (
    -- one row per invoice day and paid day: the days below each read a few thousand rows,
    -- not every line
    select date, paid, sum(amount) as amount, count(*) as lines, count(paid) as paid_lines
    from macros.invoices_to($ws, $as_of)
    group by date, paid
),

days as (
    select (unnest(generate_series(
        date_trunc('month', $as_of::date) - interval 12 month,
        date_trunc('month', $as_of::date) - interval 1 month,
        interval 1 month
    )) + interval 1 month - interval 1 day)::date as day
    union
    select $as_of::date
),

per_day as (
    select
        d.day,
        coalesce(sum(l.amount) filter (
            where l.date <= d.day and (l.paid is null or l.paid > d.day)
        ), 0)::double as open_receivables,
        coalesce(sum(l.amount) filter (
            where l.date between d.day - 89 and d.day
        ), 0)::double as revenue_90d
    from days as d
    cross join lines as l
    group by d.day
)

select
    p.day,
    p.open_receivables,
    p.revenue_90d,
    case when p.revenue_90d > 0 then p.open_receivables / (p.revenue_90d / 90) end as dso,
    (select sum(paid_lines) from lines)::bigint as paid_lines,
    (select sum(lines) from lines)::bigint as all_lines
from per_day as p
order by p.day
