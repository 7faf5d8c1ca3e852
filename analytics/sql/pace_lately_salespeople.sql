-- Each salesperson's won-deal value rank over the recent window ($since, $as_of] beside
-- their lifetime rank. Rank 1 = most won value; nothing won recently = unranked.
with won as (
    select owner, closed, value
    from macros.won_deals_to($ws, $as_of)
    where owner is not null
),

totals as (
    select
        owner,
        sum(value)::double as lifetime_won,
        coalesce(sum(value) filter (where closed > $since), 0)::double as recent_won
    from won
    group by 1
),

final as (
    select
        owner,
        lifetime_won,
        recent_won,
        rank() over (order by lifetime_won desc) as lifetime_rank,
        case when recent_won > 0 then rank() over (order by recent_won desc) end as recent_rank
    from totals
)

select * from final
order by lifetime_rank, owner
