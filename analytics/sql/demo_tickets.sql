-- support tickets: most customers ask a little, a few ask a lot, and a handful mostly complain
with p as (
    select * from demo_params
),

counts as (
    select
        cm.idx,
        cm.customer,
        cm.m,
        cm.month_start,
        cm.complainer,
        floor(
            p.ticket_rate * pow(cm.size / 20.0, 0.4) * pow(cm.appetite, 2.0)
            * case when cm.complainer then 4.0 else 1.0 end
            + demo_u(p.seed, 'ticket count', cm.idx, cm.m)
        )::integer as tickets
    from demo_customer_months as cm, p
),

opened as (
    select
        c.idx,
        c.customer,
        c.complainer,
        c.m * 1000 + c.j as k,
        least(
            c.month_start + floor(28 * demo_u(p.seed, 'ticket day', c.idx, c.m * 1000 + c.j))
                ::integer,
            p.end_date
        ) as opened
    from (select *, unnest(range(tickets)) as j from counts) as c, p
),

typed as (
    select
        o.*,
        demo_u(p.seed, 'ticket type', o.idx, o.k) as u_type,
        demo_u(p.seed, 'severity', o.idx, o.k) as u_severity,
        demo_u(p.seed, 'resolution', o.idx, o.k) as u_resolve,
        demo_u(p.seed, 'ticket hours', o.idx, o.k) as u_hours
    from opened as o, p
),

classified as (
    select
        *,
        case
            when complainer and u_type < 0.38 then 'complaint'
            when not complainer and u_type < 0.035 then 'complaint'
            when u_type < 0.60 then 'incident'
            else 'request'
        end as type
    from typed
)

select
    c.opened,
    c.customer,
    c.type,
    case c.type
        when 'complaint' then ['medium', 'high', 'high', 'critical'][1 + floor(4 * c.u_severity)::integer]
        when 'incident' then case
            when c.u_severity < 0.30 then 'low'
            when c.u_severity < 0.70 then 'medium'
            when c.u_severity < 0.92 then 'high'
            else 'critical'
        end
        else case
            when c.u_severity < 0.60 then 'low'
            when c.u_severity < 0.95 then 'medium'
            else 'high'
        end
    end as severity,
    -- still open when the history ends: no resolved date yet
    case
        when c.opened + r.days <= p.end_date then c.opened + r.days
    end as resolved,
    r.hours,
    -- a unique sort key: day opened, customer, ticket
    ((c.opened - p.start_month)::bigint * 1048576 + c.idx) * 1048576 + c.k as ord
from classified as c
cross join p
cross join lateral (
    select
        case c.type
            when 'incident' then floor(3 * pow(c.u_resolve, 2))
            when 'request' then floor(8 * pow(c.u_resolve, 1.5))
            else 2 + floor(18 * c.u_resolve)
        end::integer as days,
        case c.type
            when 'incident' then round(4 * (0.25 + 3 * pow(c.u_hours, 2))) / 4
            when 'request' then round(4 * (0.25 + 1.5 * c.u_hours)) / 4
            else round(4 * (1 + 5 * c.u_hours)) / 4
        end as hours
) as r
