-- Every deal the friction figures look at for the 12 months to $as_of, with what they need:
-- deals won or lost in ($after, $as_of], and deals still open on $as_of (created by then, and
-- open now or closed after it). state = open / won / lost as on $as_of.
--   days            created to close; for an open deal, created to $as_of
--   discount        (list_value - value) / list_value; null without a list value above 0
--   presales_hours  the larger of the deal's presales_hours and the presales-category hours
--                   logged on it (the same hours recorded twice are counted once)
--   with_presales   presales_hours above 0
--   actual_hours    delivery: hours logged on the deal with any category but presales
--   last_logged     the last day delivery hours were logged (to tell deals still in delivery)
--   pursuit_hours   presales_hours plus other hours logged on the deal up to its close (open
--                   deals: up to $as_of): what winning, or failing to win, it cost
--   tracks_hours    whether the workspace records hours on deals at all; without it, zero
--                   hours mean "not recorded", not "none spent"
-- Only time entries up to $as_of count: a deal's totals in deal_facts when it has none
-- after $as_of (every deal at the default day), else its hours per day (deal_hours).
with source as (
    -- one row per deal with its hours logged (deal_facts)
    select * exclude (workspace_id)
    from deal_facts
    where workspace_id = $ws
),

in_scope as (
    select
        *,
        case
            when status = 'open' and (created is null or created <= $as_of) then 'open'
            when status in ('won', 'lost') and closed > $as_of
                and (created is null or created <= $as_of) then 'open'
            when status in ('won', 'lost') and closed > $after and closed <= $as_of then status
        end as state
    from source
),

deals as (
    select
        *,
        case when state = 'open' then $as_of::date else closed end as until,
        -- no hours logged after $as_of: the deal's own totals are its hours to $as_of
        last_day is null or last_day <= $as_of as settled
    from in_scope
    where state is not null
),

entries as (
    -- the other deals' hours, per day and presales or not (deal_hours), up to $as_of
    select
        t.deal_id,
        t.date,
        t.hours,
        t.presales,
        d.until
    from deal_hours as t
    inner join deals as d on t.deal_id = d.deal_id
    where t.workspace_id = $ws and not d.settled and t.hours is not null
        and t.date <= $as_of
),

partial as (
    select
        deal_id,
        sum(hours) filter (where presales) as presales_logged,
        sum(hours) filter (where not presales) as actual_hours,
        max(date) filter (where not presales) as last_logged,
        sum(hours) filter (where not presales and date <= until) as before_close
    from entries
    group by deal_id
),

tracking as (
    select
        exists (select 1 from deal_hours where workspace_id = $ws and entries > 0)
        or exists (select 1 from source where presales_hours is not null) as tracks_hours
),

combined as (
    select
        d.deal_id,
        d.owner,
        d.customer,
        d.state,
        d.created,
        d.closed,
        d.value,
        d.list_value,
        d.estimated_hours,
        case when d.created <= d.until then d.until - d.created end as days,
        case
            when d.list_value > 0 and d.value is not null
                then (d.list_value - d.value) / d.list_value
        end as discount,
        greatest(
            coalesce(d.presales_hours, 0),
            coalesce(if(d.settled, d.presales_logged, p.presales_logged), 0)
        ) as presales_hours,
        if(d.settled, d.actual_hours, p.actual_hours) as actual_hours,
        if(d.settled, d.last_logged, p.last_logged) as last_logged,
        -- settled: an open deal's delivery so far, a closed one's up to its close day
        coalesce(
            case
                when not d.settled then p.before_close
                when d.state = 'open' then d.actual_hours
                else d.before_close
            end,
            0
        ) as other_hours,
        tr.tracks_hours
    from deals as d
    left join partial as p on d.deal_id = p.deal_id
    cross join tracking as tr
),

final as (
    select
        * exclude (other_hours),
        presales_hours > 0 as with_presales,
        case
            when discount is not null then list_value - value
        end as given_away,
        case
            when estimated_hours > 0 and actual_hours > 0 then actual_hours / estimated_hours
        end as ratio,
        presales_hours + other_hours as pursuit_hours
    from combined
)

select * from final
order by state, closed, created, deal_id
