-- Deals won in ($after, $as_of] with their estimated delivery hours and the delivery hours
-- logged on them up to $as_of: time entries carrying the deal's id, any category but presales.
-- ratio = actual / estimate (null unless both are above 0); last_logged = the last day delivery
-- hours were logged, so deals still being delivered can be told apart.
with won as (
    select
        deal_id,
        coalesce(nullif(trim(owner), ''), '(no salesperson)') as owner,
        customer,
        closed,
        value::double as value,
        estimated_hours
    from deals_current
    where workspace_id = $ws and status = 'won' and closed > $after and closed <= $as_of
),

delivery as (
    select t.deal_id, sum(t.hours) as actual_hours, max(t.date) as last_logged
    from time_entries as t
    where t.workspace_id = $ws and t.deal_id is not null and t.hours is not null
        and t.date <= $as_of
        and coalesce(lower(t.category), '') not like '%pre%sal%'
        and t.deal_id in (select deal_id from won)
    group by t.deal_id
),

final as (
    select
        w.deal_id,
        w.owner,
        w.customer,
        w.closed,
        w.value,
        w.estimated_hours,
        d.actual_hours,
        d.last_logged,
        case
            when w.estimated_hours > 0 and d.actual_hours > 0
                then d.actual_hours / w.estimated_hours
        end as ratio
    from won as w
    left join delivery as d on w.deal_id = d.deal_id
)

select * from final
order by owner, closed, deal_id
