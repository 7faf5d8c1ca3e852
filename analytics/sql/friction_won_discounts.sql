-- The deals won in the 12 months to $as_of ($after, $as_of] (deal_facts), one row each, with
-- their discount below list, by salesperson, then close day and deal id: the discount
-- figure's table, without the hours and open deals friction_deals carries for the others
-- (whose won rows these are, column for column). deal_facts is kept in that order
-- (migration 21 and its refresh: analytics/schema.py), and a query without ORDER BY reads a
-- table's rows in their order (DuckDB's preserve_insertion_order, on by default), so the
-- rows are not sorted again here: sorting them was a quarter of this query's time.
--   discount    (list_value - value) / list_value; null without a list value above 0 or a value
--   given_away  list_value - value where there is a discount
--   deep        a discount above $threshold
with source as (
    select deal_id, owner, customer, closed, value, list_value
    from deal_facts
    where workspace_id = $ws and status = 'won' and closed > $after and closed <= $as_of
),

cleaned as (
    select
        *,
        case
            when list_value > 0 and value is not null then (list_value - value) / list_value
        end as discount
    from source
),

final as (
    select
        *,
        case when discount is not null then list_value - value end as given_away,
        coalesce(discount > $threshold, false) as deep
    from cleaned
)

select * from final
