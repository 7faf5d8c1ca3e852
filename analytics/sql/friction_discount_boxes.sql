-- One box per salesperson over the won deals in `deals` (the discount_depth indicator's own
-- rows, filtered as the page shows them): deals with a discount, the quartiles (linear
-- interpolation, as quantile_cont does), and the whiskers' ends the way a box plot draws them:
-- lowerfence / upperfence are the furthest deals still within 1.5 × the box's height (IQR)
-- of the box; low_limit / high_limit are those limits, and outliers counts the deals beyond
-- them. Deepest median first, then by name; deals without a salesperson or a discount are
-- left out (as the table beside the chart does).
with source as (
    select owner::varchar as owner, discount::double as discount
    from deals
    where owner is not null and discount is not null
),

quartiles as (
    select
        owner,
        count(*) as deals,
        quantile_cont(discount, 0.25) as q1,
        quantile_cont(discount, 0.5) as median,
        quantile_cont(discount, 0.75) as q3
    from source
    group by owner
),

limits as (
    select
        *,
        q1 - 1.5 * (q3 - q1) as low_limit,
        q3 + 1.5 * (q3 - q1) as high_limit
    from quartiles
),

final as (
    select
        l.owner,
        l.deals,
        l.q1,
        l.median,
        l.q3,
        min(s.discount) filter (where s.discount >= l.low_limit) as lowerfence,
        max(s.discount) filter (where s.discount <= l.high_limit) as upperfence,
        l.low_limit,
        l.high_limit,
        count(*) filter (where s.discount < l.low_limit or s.discount > l.high_limit)
            as outliers
    from limits as l
    inner join source as s on l.owner = s.owner
    group by l.owner, l.deals, l.q1, l.median, l.q3, l.low_limit, l.high_limit
)

select * from final
order by median desc, owner
