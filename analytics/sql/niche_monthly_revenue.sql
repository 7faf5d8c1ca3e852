-- Revenue per calendar month up to $as_of, every month from the first invoice (zeros
-- included): the series behind the growth sparkline.
with source as (
    -- per customer-day (dated, with an amount; lines without a customer count here too)
    select date, amount
    from invoice_days
    where workspace_id = $ws and date <= $as_of
),

by_day as (
    -- per day first (a few thousand days, not every customer-day): the month of each day is
    -- then worked out once, and money stays DECIMAL, so the sums are the same exactly
    select date, sum(amount) as amount
    from source
    group by date
),

cleaned as (
    select date_trunc('month', date)::date as month, sum(amount) as revenue
    from by_day
    group by 1
),

months as (
    select unnest(generate_series(min(month), date_trunc('month', $as_of::date)::date, interval 1 month))::date as month
    from cleaned
),

final as (
    select m.month, coalesce(c.revenue, 0)::double as revenue
    from months as m
    left join cleaned as c on m.month = c.month
)

select * from final
order by month
