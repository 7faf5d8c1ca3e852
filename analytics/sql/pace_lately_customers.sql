-- Each customer's revenue rank over the recent window ($since, $as_of] beside their
-- lifetime rank (everything up to $as_of). Rank 1 = most revenue; no recent revenue = unranked.
-- Read per customer-day (invoice_days: the lines with a date and an amount).
with lifetime as (
    select customer, sum(amount) as lifetime_revenue
    from invoice_days
    where workspace_id = $ws and date <= $as_of
    group by 1
),

recent as (
    select customer, sum(amount) as recent_revenue
    from invoice_days
    where workspace_id = $ws and date > $since and date <= $as_of
    group by 1
),

final as (
    select
        l.customer,
        l.lifetime_revenue::double as lifetime_revenue,
        coalesce(r.recent_revenue, 0)::double as recent_revenue,
        rank() over (order by l.lifetime_revenue desc) as lifetime_rank,
        case when coalesce(r.recent_revenue, 0) > 0
            then rank() over (order by coalesce(r.recent_revenue, 0) desc) end as recent_rank
    from lifetime as l
    left join recent as r on l.customer = r.customer
    where l.lifetime_revenue > 0
)

select * from final
order by lifetime_rank, customer
