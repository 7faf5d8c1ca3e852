-- Deals closed (won or lost) in ($after, $as_of], each with its technical presales effort: the
-- deal's presales_hours, and hours logged on it with a presales category. with_presales is true
-- when either is above 0. cycle_days = closed - created (null without a created date).
with closed_deals as (
    select
        deal_id,
        coalesce(nullif(trim(owner), ''), '(no salesperson)') as owner,
        customer,
        status,
        created,
        closed,
        value::double as value,
        presales_hours
    from deals_current
    where workspace_id = $ws and status in ('won', 'lost') and closed > $after
        and closed <= $as_of
),

logged as (
    select t.deal_id, sum(t.hours) as presales_logged
    from time_entries as t
    where t.workspace_id = $ws and t.deal_id is not null and t.hours is not null
        and t.date <= $as_of and lower(t.category) like '%pre%sal%'
        and t.deal_id in (select deal_id from closed_deals)
    group by t.deal_id
),

final as (
    select
        c.deal_id,
        c.owner,
        c.customer,
        c.status,
        c.created,
        c.closed,
        c.value,
        c.status = 'won' as won,
        case when c.created <= c.closed then c.closed - c.created end as cycle_days,
        greatest(coalesce(c.presales_hours, 0), coalesce(l.presales_logged, 0)) as presales_hours,
        coalesce(c.presales_hours, 0) > 0 or coalesce(l.presales_logged, 0) > 0 as with_presales
    from closed_deals as c
    left join logged as l on c.deal_id = l.deal_id
)

select * from final
order by closed, deal_id
