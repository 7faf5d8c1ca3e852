-- The won deals in `deals` whose discount lies beyond their salesperson's box limits in
-- `boxes` (friction_discount_boxes: more than 1.5 × IQR below the first quartile or above the
-- third), the furthest first, at most $per_owner per salesperson. distance is how far past
-- the limit; owner_outliers how many there are in all for that salesperson.
with beyond as (
    select
        d.deal_id::varchar as deal_id,
        d.customer::varchar as customer,
        b.owner,
        d.discount::double as discount,
        greatest(b.low_limit - d.discount, d.discount - b.high_limit) as distance
    from deals as d
    inner join boxes as b on d.owner::varchar = b.owner
    where d.discount < b.low_limit or d.discount > b.high_limit
),

final as (
    select
        *,
        row_number() over (partition by owner order by distance desc, deal_id) as owner_rank,
        count(*) over (partition by owner) as owner_outliers
    from beyond
)

select * from final
where owner_rank <= $per_owner
order by owner, owner_rank
