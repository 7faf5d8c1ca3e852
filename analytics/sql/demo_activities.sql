-- sales activities: a weekly prospecting habit (with one long quiet spell) and account
-- management that follows spend, except for a few big customers nobody has called lately
with p as (
    select * from demo_params
),

sales as (
    select n, person from demo_people where role = 'sales'
),

prospect_range as (
    select min(idx) as first_idx, count(*) as prospects
    from demo_accounts
    where kind = 'prospect'
),

weeks as (
    select
        (date_trunc('week', p.start_month) + to_days(7 * w.w::integer))::date as week_start,
        w.w::integer as w
    from p, range(0, 220) as w (w)
),

-- an hour or two a week, most weeks; some weeks slip; none at all during the quiet spell
prospecting_slots as (
    select
        wk.week_start,
        wk.w,
        s.j::integer as j,
        demo_u(p.seed, 'prospecting kind', wk.w, s.j) as u_kind,
        demo_u(p.seed, 'prospecting length', wk.w, s.j) as u_minutes,
        demo_u(p.seed, 'prospecting outcome', wk.w, s.j) as u_outcome,
        demo_u(p.seed, 'prospecting day', wk.w, s.j) as u_day,
        demo_u(p.seed, 'prospecting person', wk.w, s.j) as u_person,
        demo_u(p.seed, 'prospecting target', wk.w, s.j) as u_target
    from weeks as wk, p, range(0, p.prospecting_slots) as s (j)
    where wk.week_start <= p.end_date
        and wk.week_start not between p.gap_start and p.gap_end
        and demo_u(p.seed, 'prospecting happens', wk.w, s.j)
        < case when demo_u(p.seed, 'slipped week', wk.w, 0) < 0.12 then 0.2 else 0.75 end
),

-- each kind of activity: the share of draws that make it [lo, hi), and its length in
-- minutes, five-minute steps of (base + spread × a draw) (meetings: fifteen-minute steps)
kinds as (
    select * from (
        values
        ('prospecting', 'cold call', 0.00, 0.45, 5, 2, 3),
        ('prospecting', 'prospecting', 0.45, 0.75, 5, 5, 7),
        ('prospecting', 'mailshot', 0.75, 1.00, 5, 6, 8),
        ('customer', 'call', 0.00, 0.45, 5, 2, 4),
        ('customer', 'email', 0.45, 0.85, 5, 1, 1),
        ('customer', 'meeting', 0.85, 1.00, 15, 2, 4)
    ) as t (towards, type, lo, hi, step, base, spread)
),

prospecting as (
    select
        -- Monday morning, mostly
        ps.week_start
        + case when ps.u_day < 0.6 then 0 else floor(5 * ps.u_day)::integer end as date,
        kind.type,
        s.person,
        case
            when ps.u_kind < 0.75 then a.customer
        end as customer,
        kind.step * round(kind.base + kind.spread * ps.u_minutes) as minutes,
        case
            when ps.u_kind < 0.45 then case
                when ps.u_outcome < 0.40 then 'no answer'
                when ps.u_outcome < 0.70 then 'left voicemail'
                when ps.u_outcome < 0.92 then 'connected'
                else 'meeting booked'
            end
            when ps.u_kind < 0.75 then 'researched'
            else 'sent'
        end as outcome,
        0 as idx,
        ps.w * 100 + ps.j as k
    from prospecting_slots as ps
    cross join p
    inner join kinds as kind
        on kind.towards = 'prospecting' and demo_within(ps.u_kind, kind.lo, kind.hi)
    cross join prospect_range as pr
    inner join sales as s
        on s.n = 1 + floor(p.salespeople * ps.u_person)::integer
    inner join demo_accounts as a
        on a.idx = pr.first_idx + floor(pr.prospects * ps.u_target)::integer
),

-- calls, emails and meetings with customers, more with the bigger ones
contact_counts as (
    select
        cm.idx,
        cm.customer,
        cm.m,
        cm.month_start,
        cm.account_manager,
        floor(
            p.activity_rate * pow(cm.mrr / 1000.0, 0.3)
            + demo_u(p.seed, 'contact count', cm.idx, cm.m)
        )::integer as contacts
    from demo_customer_months as cm, p
),

contacts as (
    select
        c.idx,
        c.customer,
        c.account_manager,
        c.m * 1000 + c.j as k,
        c.month_start + floor(28 * demo_u(p.seed, 'contact day', c.idx, c.m * 1000 + c.j))::integer
            as raw_day,
        demo_u(p.seed, 'contact kind', c.idx, c.m * 1000 + c.j) as u_kind,
        demo_u(p.seed, 'contact length', c.idx, c.m * 1000 + c.j) as u_minutes,
        demo_u(p.seed, 'contact outcome', c.idx, c.m * 1000 + c.j) as u_outcome,
        demo_u(p.seed, 'contact person', c.idx, c.m * 1000 + c.j) as u_person
    from (select *, unnest(range(contacts)) as j from contact_counts) as c, p
),

-- the biggest customers over the last twelve months; a few of them have gone quiet
top_customers as (
    select
        customer,
        row_number() over (order by sum(amount) desc, customer) as revenue_rank
    from invoices, p
    where workspace_id = $workspace
        and batch_id = $invoices_batch
        and date > p.end_date - interval 12 month
    group by customer
    qualify revenue_rank <= 20
),

-- four long-standing ones (customers for over half a year) have gone quiet
neglect as (
    select
        t.customer,
        a.first_seen < p.end_date - 180
        and row_number() over (
            partition by a.first_seen < p.end_date - 180
            order by hash(p.seed, 'neglected', t.customer)
        ) <= 4 as neglected,
        p.end_date - 35 - floor(40 * demo_u(p.seed, 'quiet since', t.revenue_rank, 0))::integer
            as quiet_since,
        p.end_date - 3 - floor(20 * demo_u(p.seed, 'last call', t.revenue_rank, 0))::integer
            as last_call
    from top_customers as t
    inner join demo_accounts as a on t.customer = a.customer
    cross join p
),

customer_activities as (
    select
        demo_workday(c.raw_day) as date,
        kind.type,
        s.person,
        c.customer,
        kind.step * round(kind.base + kind.spread * c.u_minutes) as minutes,
        case
            when c.u_kind < 0.45 then case
                when c.u_outcome < 0.70 then 'completed'
                when c.u_outcome < 0.85 then 'no answer'
                else 'follow-up needed'
            end
            when c.u_kind < 0.85 then case when c.u_outcome < 0.6 then 'sent' else 'replied' end
            else case when c.u_outcome < 0.8 then 'completed' else 'follow-up needed' end
        end as outcome,
        c.idx,
        c.k
    from contacts as c
    cross join p
    inner join kinds as kind
        on kind.towards = 'customer' and demo_within(c.u_kind, kind.lo, kind.hi)
    inner join sales as s
        on s.n = case
            when c.u_person < 0.9 then c.account_manager
            else 1 + floor(p.salespeople * c.u_person * 0.999)::integer
        end
    left join neglect as n on c.customer = n.customer
    where c.raw_day <= p.end_date
        and not coalesce(n.neglected and c.raw_day > n.quiet_since, false)
),

-- the rest of the top twenty heard from someone in the last few weeks
recent_calls as (
    select
        demo_workday(n.last_call) as date,
        'call' as type,
        s.person,
        n.customer,
        20 as minutes,
        'completed' as outcome,
        a.idx,
        999999 as k
    from neglect as n
    inner join demo_accounts as a on n.customer = a.customer
    inner join sales as s on a.account_manager = s.n
    where not n.neglected
)

select
    date,
    type,
    person,
    customer,
    minutes::double as minutes,
    outcome,
    -- a unique sort key: day, then who it was with (prospecting first), then the activity
    ((date - p.start_month + 10)::bigint * 1048576 + idx) * 1048576 + k as ord
from p, (
    select * from prospecting
    union all
    select * from customer_activities
    union all
    select * from recent_calls
) as all_activities
where date <= p.end_date
