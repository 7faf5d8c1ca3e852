-- The deals won in the trailing window (`after`, `as_of`] of workspace `ws` (deal_facts),
-- one row each, with their discount below list: deal_id, owner, customer, closed, value,
-- list_value, discount ((list − value) ÷ list; null without a list value above 0 or without
-- a value), given_away (list − value where there is a discount) and deep (a discount above
-- `threshold`). The rows friction_deals gives the state won, and nothing else they need.
create or replace macro macros.main.won_discounts(ws, after, as_of, threshold) as table
    with won as (
        select
            deal_id,
            owner,
            customer,
            closed,
            value,
            list_value,
            case
                when list_value > 0 and value is not null then (list_value - value) / list_value
            end as discount
        from deal_facts
        where workspace_id = ws and status = 'won' and closed > after and closed <= as_of
    )

    select
        *,
        case when discount is not null then list_value - value end as given_away,
        coalesce(discount > threshold, false) as deep
    from won
