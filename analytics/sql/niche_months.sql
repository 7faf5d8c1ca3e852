-- The months behind segment growth, from one pass over the invoices' days:
--   month, revenue   revenue per calendar month up to $as_of, every month from the first
--                    invoice (zeros included): the series behind the growth sparkline; lines
--                    without a customer count here too
--   months_with_invoices, months
--                    how much of the earlier 12 months a growth rate compares against holds
--                    invoices: the window is cut into 12 one-month slices at $ends (newest
--                    first: slice k runs from just after $ends[k + 2] to $ends[k + 1]
--                    inclusive, $ends[1] = as_of - 12 months), and a slice counts when at
--                    least one invoice line naming a customer falls in it
--   first_invoice    the first invoice date ever (lines naming a customer)
-- The last three repeat on every row; without any invoice up to $as_of there is one row, its
-- month and revenue null.
with by_day as (
    -- per day first (a few thousand days, not every customer-day): the month of each day is
    -- then worked out once, and money stays DECIMAL, so the sums are the same exactly
    select
        date,
        sum(amount) as amount,
        bool_or(customer is not null) as named
    from invoice_days
    where workspace_id = $ws and date is not null
    group by date
),

monthly as (
    select date_trunc('month', date)::date as month, sum(amount) as revenue
    from by_day
    where date <= $as_of
    group by 1
),

months as (
    select unnest(generate_series(min(month), date_trunc('month', $as_of::date)::date, interval 1 month))::date as month
    from monthly
),

slices as (
    select
        k,
        $ends[k + 2] as starts_after,
        $ends[k + 1] as ends_on
    from (select unnest(generate_series(0, len($ends) - 2)) as k)
),

covered as (
    -- only which days hold named lines matters: a comparison join of a few hundred days
    select distinct s.k
    from slices as s
    inner join by_day as d on d.named and d.date > s.starts_after and d.date <= s.ends_on
),

cover as (
    select
        (select count(*) from covered) as months_with_invoices,
        (select count(*) from slices) as months,
        (select min(date) from by_day where named) as first_invoice
),

final as (
    select
        m.month,
        case when m.month is not null then coalesce(r.revenue, 0)::double end as revenue,
        c.months_with_invoices,
        c.months,
        c.first_invoice
    from cover as c
    left join months as m on true
    left join monthly as r on m.month = r.month
)

select * from final
order by month
