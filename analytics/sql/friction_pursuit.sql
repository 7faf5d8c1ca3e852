-- The hours spent winning (or failing to win) deals: every deal won or lost in
-- ($after, $as_of], and every deal still open on $as_of (created by then, and open now or closed
-- after it). state = open / won / lost as on $as_of.
-- pursuit_hours = the larger of the deal's presales_hours and the presales-category hours logged
-- on it (the same hours, recorded twice, are counted once), plus any other hours logged on it up
-- to its close (open deals: up to $as_of). days = created to close, or to $as_of while open.
-- tracks_hours: whether the workspace records hours on deals at all (presales hours, or time
-- entries with a deal id); without it, zero hours mean "not recorded", not "none spent".
with source as (
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
        case when state = 'open' then $as_of::date else closed end as until
    from in_scope
    where state is not null
),

logged as (
    select
        t.deal_id,
        sum(t.hours) filter (where lower(t.category) like '%pre%sal%') as presales_logged,
        sum(t.hours) filter (
            where coalesce(lower(t.category), '') not like '%pre%sal%' and t.date <= d.until
        ) as other_logged
    from time_entries as t
    inner join deals as d on t.deal_id = d.deal_id
    where t.workspace_id = $ws and t.hours is not null and t.date <= $as_of
    group by t.deal_id
),

tracking as (
    select
        exists (
            select 1 from time_entries
            where workspace_id = $ws and deal_id is not null and hours is not null
        )
        or exists (
            select 1 from deals_current
            where workspace_id = $ws and presales_hours is not null
        ) as tracks_hours
),

final as (
    select
        d.deal_id,
        d.owner,
        d.customer,
        d.state,
        d.created,
        d.closed,
        d.value,
        case when d.created <= d.until then d.until - d.created end as days,
        greatest(coalesce(d.presales_hours, 0), coalesce(l.presales_logged, 0))
        + coalesce(l.other_logged, 0) as pursuit_hours,
        tr.tracks_hours
    from deals as d
    left join logged as l on d.deal_id = l.deal_id
    cross join tracking as tr
)

select * from final
order by state, created, deal_id
