-- Per salesperson, over the deals won in the 12 months to $as_of with a discount (see
-- macros/won_discounts.sql): deals, median_discount, deep_share (discounted more than
-- $threshold), given_away; the deepest median first, ties by name. The median is the mean
-- of the two middle values for an even count, as pandas takes it; given_away a compensated
-- (Kahan) sum, as pandas adds a group up.
with source as (
    select owner, discount, deep, given_away
    from macros.won_discounts($ws, $after, $as_of, $threshold)
    where discount is not null
),

cleaned as (
    select
        owner,
        count(*) as deals,
        list_sort(list(discount)) as sorted,
        count_if(deep) as deep,
        fsum(given_away) as given_away
    from source
    group by owner
),

final as (
    select
        owner,
        deals,
        (sorted[(deals + 1) // 2] + sorted[deals // 2 + 1]) / 2 as median_discount,
        deep / deals as deep_share,
        given_away
    from cleaned
)

select * from final
order by median_discount desc, owner
