-- every deal of the demo business with what happened to it, including the hidden delivery plan
with p as (
    select * from demo_params
),

sales as (
    select n, discounter from demo_people where role = 'sales'
),

-- a new customer's first deal: the onboarding project it signed on the day it became a customer
onboarding as (
    select
        'onboarding' as stream,
        a.idx,
        a.customer,
        a.size,
        a.first_seen as due,
        a.channel as source,
        1 + floor(p.salespeople * demo_u(p.seed, 'onboarding owner', a.idx, 0))::integer as owner_n,
        least(a.mrr0 * (1 + demo_u(p.seed, 'onboarding value', a.idx, 0)), 12000.0) as list_guess,
        a.idx as k
    from demo_accounts as a, p
    where a.kind = 'customer' and a.first_seen >= p.start_month
),

-- prospects: pursued, mostly lost; the quiet spell leaves almost none started
prospect_deals as (
    select
        'prospect' as stream,
        a.idx,
        a.customer,
        a.size,
        (
            p.start_month - 60
            + floor(
                (p.end_date - p.start_month + 60) * demo_u(p.seed, 'prospect created', a.idx, t.t)
            )::integer
        ) as created,
        a.channel as source,
        1 + floor(p.salespeople * demo_u(p.seed, 'prospect owner', a.idx, t.t))::integer as owner_n,
        3000.0 * p.deal_size * exp(0.6 * demo_z(p.seed, 'prospect value', a.idx, t.t)) as list_guess,
        t.t as k
    from demo_accounts as a, range(0, 2) as t (t), p
    where a.kind = 'prospect'
        and (t.t = 0 or demo_u(p.seed, 'prospect again', a.idx, 0) < 0.3)
),

-- existing customers buy projects, hardware, security and cloud work; those already on the
-- books when the history starts were buying in the months before it, too
upsell_months as (
    select idx, customer, size, m, month_start, account_manager, mrr
    from demo_customer_months
    union all
    select
        a.idx,
        a.customer,
        a.size,
        l.m::integer as m,
        (p.start_month + to_months(l.m::integer))::date as month_start,
        a.account_manager,
        a.mrr0 as mrr
    from demo_accounts as a, range(-4, 0) as l (m), p
    where a.kind = 'customer' and a.bill_from_m = 0 and a.signed_m < l.m
),

upsell_counts as (
    select
        um.*,
        floor(
            p.upsell_rate / 12.0 * pow(um.mrr / 1000.0, 0.5)
            + demo_u(p.seed, 'upsell count', um.idx, um.m)
        )::integer as deals
    from upsell_months as um, p
),

upsells as (
    select
        'upsell' as stream,
        u.idx,
        u.customer,
        u.size,
        (
            u.month_start
            + floor(
                28 * demo_u(p.seed, 'upsell day', u.idx, u.m * 100 + u.j)
            )::integer
        ) as created,
        'existing customer' as source,
        case
            when demo_u(p.seed, 'upsell owner', u.idx, u.m * 100 + u.j) < 0.8 then u.account_manager
            else 1 + floor(p.salespeople * demo_u(p.seed, 'upsell other', u.idx, u.m * 100 + u.j))
                ::integer
        end as owner_n,
        3000.0 * p.deal_size * pow(u.mrr / 1500.0, 0.35)
        * exp(0.6 * demo_z(p.seed, 'upsell value', u.idx, u.m * 100 + u.j)) as list_guess,
        u.m * 100 + u.j as k
    from (select *, unnest(range(deals)) as j from upsell_counts) as u, p
),

pursued as (
    select
        stream, idx, customer, size, created, source, owner_n, list_guess, k
    from prospect_deals
    union all
    select
        stream, idx, customer, size, created, source, owner_n, list_guess, k
    from upsells
),

-- nobody starts deals during the quiet spell, and the pipeline takes weeks to refill after it
kept as (
    select pursued.*
    from pursued, p
    where pursued.created <= p.end_date
        and demo_u(p.seed, 'gap keeps', pursued.idx, pursued.k) < case
            when pursued.created between p.gap_start and p.gap_end then 0.05
            when pursued.created between p.gap_end and p.gap_end + 28 then 0.4
            else 1.0
        end
),

shaped as (
    select
        kept.*,
        demo_u(p.seed, 'presales', kept.idx, kept.k) < 0.35 as has_presales,
        demo_u(p.seed, 'stalls', kept.idx, kept.k) < 0.01
        and kept.created <= p.end_date - 270 as stalls,
        demo_u(p.seed, 'wins', kept.idx, kept.k) as u_win,
        demo_z(p.seed, 'cycle', kept.idx, kept.k) as z_cycle
    from kept, p
),

timed as (
    select
        *,
        -- technical presales shortens the cycle and wins more often
        round(
            case when has_presales then 30 else 42 end
            * exp(0.25 * z_cycle)
            * case when stream = 'prospect' then 1.4 else 1.0 end
        )::integer as cycle_days
    from shaped
),

decided as (
    select
        t.stream, t.idx, t.customer, t.size, t.created, t.source, t.owner_n, t.list_guess, t.k,
        t.has_presales, t.stalls, t.cycle_days,
        case
            when t.stalls then 'open'
            when t.created + t.cycle_days > p.end_date then 'open'
            when t.stream = 'prospect' then 'lost'
            when t.u_win < case when t.has_presales then 0.72 else 0.42 end
                + case when s.discounter then 0.08 else 0.0 end then 'won'
            else 'lost'
        end as status
    from timed as t
    inner join sales as s on t.owner_n = s.n
    cross join p
),

all_deals as (
    select
        stream, idx, customer, size, created, source, owner_n, list_guess, k,
        has_presales, stalls, cycle_days, status
    from decided
    union all
    select
        o.stream,
        o.idx,
        o.customer,
        o.size,
        o.due - round(45 * exp(0.3 * demo_z(p.seed, 'cycle', o.idx, 0)))::integer as created,
        o.source,
        o.owner_n,
        o.list_guess,
        o.k,
        demo_u(p.seed, 'presales', o.idx, -1) < 0.4 as has_presales,
        false as stalls,
        round(45 * exp(0.3 * demo_z(p.seed, 'cycle', o.idx, 0)))::integer as cycle_days,
        'won' as status
    from onboarding as o, p
),

priced as (
    select
        d.*,
        s.discounter,
        case
            when d.stream = 'onboarding' then 'onboarding'
            else [
                'project', 'project', 'project', 'hardware', 'hardware', 'security',
                'security', 'cloud'
            ][1 + floor(8 * demo_u(p.seed, 'kind', d.idx, d.k))::integer]
        end as work,
        -- the discounter gives away a quarter; everyone else a few percent
        case
            when s.discounter then 0.14 + 0.24 * demo_u(p.seed, 'discount', d.idx, d.k)
            else 0.12 * pow(demo_u(p.seed, 'discount', d.idx, d.k), 1.3)
        end as discount,
        demo_u(p.seed, 'no list', d.idx, d.k) < 0.07 as no_list,
        demo_u(p.seed, 'overrun', d.idx, d.k) as u_overrun,
        demo_z(p.seed, 'estimate', d.idx, d.k) as z_estimate
    from all_deals as d
    inner join sales as s on d.owner_n = s.n
    cross join p
),

valued as (
    select
        *,
        greatest(
            round(
                least(list_guess, 20000.0 * p.deal_size)
                * case work
                    when 'project' then 1.3 when 'hardware' then 1.0 when 'security' then 0.7
                    when 'cloud' then 0.9 else 1.0
                end,
                -1
            ),
            250
        ) as list_amount,
        case work
            when 'project' then 0.85 when 'hardware' then 0.2 when 'security' then 0.9
            when 'cloud' then 0.6 else 1.0
        end as labour_share
    from priced, p
),

numbered as (
    select
        *,
        row_number() over (order by created, stream, idx, k) as deal_no
    from valued
)

select
    n.deal_no,
    'D-' || lpad(n.deal_no::varchar, 6, '0') as deal_id,
    n.stream,
    n.work,
    n.idx,
    n.customer,
    n.status,
    case
        when n.status = 'won' then 'Closed Won'
        when n.status = 'lost' then 'Closed Lost'
        when n.stalls then 'Negotiation'
        when (p.end_date - n.created) < 0.35 * n.cycle_days then 'Qualification'
        when (p.end_date - n.created) < 0.7 * n.cycle_days then 'Proposal'
        else 'Negotiation'
    end as stage,
    n.created,
    case when n.status in ('won', 'lost') then n.created + n.cycle_days end as closed,
    round(n.list_amount * (1 - n.discount), 0)::decimal(18, 2) as value,
    case when not n.no_list then n.list_amount::decimal(18, 2) end as list_value,
    s.person as owner,
    s.discounter,
    -- the estimate is made from the price list, before any discount
    greatest(2.0, round(2 * n.list_amount * n.labour_share / 220.0 * exp(0.12 * n.z_estimate)) / 2)
        as estimated_hours,
    case
        when n.stalls then round(2 * (20 + 40 * demo_u(p.seed, 'presales hours', n.idx, n.k))) / 2
        when n.has_presales then round(2 * (2 + 14 * demo_u(p.seed, 'presales hours', n.idx, n.k))) / 2
        else 0.0
    end as presales_hours,
    n.source,
    n.labour_share,
    -- delivery: the discounter's deals take half as long again as estimated
    case
        when n.discounter then 1.4 + 0.2 * n.u_overrun
        else 0.97 + 0.12 * n.u_overrun
    end as overrun,
    1 + floor(p.techs * demo_u(p.seed, 'lead tech', n.idx, n.k))::integer as lead_tech,
    1 + floor(p.techs * demo_u(p.seed, 'presales tech', n.idx, n.k))::integer as presales_tech,
    -- work is invoiced about two months after the deal closes
    n.created + n.cycle_days + 55 + floor(11 * demo_u(p.seed, 'invoice lag', n.idx, n.k))::integer
        as invoice_date
from numbered as n
inner join demo_people as s on s.role = 'sales' and n.owner_n = s.n
cross join p
