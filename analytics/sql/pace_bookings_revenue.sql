-- Won-deal value by closing month beside invoiced revenue by month, from the first month of
-- either up to $horizon months after the month of $as_of (future months carry no actuals).
with won as (
    select date_trunc('month', closed)::date as month, sum(value) as won_value, count(*) as won_deals
    from macros.won_deals_to($ws, $as_of)
    group by 1
),

billed as (
    select date_trunc('month', date)::date as month, sum(amount) as revenue
    from invoices
    where workspace_id = $ws and date <= $as_of
    group by 1
),

bounds as (
    select
        least((select min(month) from won), (select min(month) from billed)) as first_month,
        (date_trunc('month', $as_of::date) + to_months($horizon))::date as last_month
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from bounds
    where first_month is not null
),

final as (
    select
        m.month,
        m.month > date_trunc('month', $as_of::date) as future,
        coalesce(w.won_value, 0)::double as won_value,
        coalesce(w.won_deals, 0) as won_deals,
        case when m.month > date_trunc('month', $as_of::date) then null
            else coalesce(b.revenue, 0)::double end as revenue
    from months as m
    left join won as w on m.month = w.month
    left join billed as b on m.month = b.month
)

select * from final
order by month
