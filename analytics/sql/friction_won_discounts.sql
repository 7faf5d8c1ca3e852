-- Deals won in ($after, $as_of] with their discount off list: (list_value - value) / list_value.
-- discount is null when a deal has no list value (or one of 0) or no value: those deals stay
-- in the rows so the owner can be told how many were left out. deep = discount above $threshold.
with source as (
    select deal_id, owner, customer, closed, value, list_value
    from deals_current
    where workspace_id = $ws and status = 'won' and closed > $after and closed <= $as_of
),

cleaned as (
    select
        deal_id,
        coalesce(nullif(trim(owner), ''), '(no salesperson)') as owner,
        customer,
        closed,
        value::double as value,
        list_value::double as list_value,
        case
            when list_value > 0 and value is not null
                then ((list_value - value) / list_value)::double
        end as discount
    from source
),

final as (
    select
        *,
        coalesce(discount > $threshold, false) as deep,
        case when discount is not null then list_value - value end as given_away
    from cleaned
)

select * from final
order by owner, closed, deal_id
