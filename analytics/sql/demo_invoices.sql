-- the demo business's invoice lines: monthly managed services, and projects ~2 months after a win
with p as (
    select * from demo_params
),

-- monthly recurring lines, billed in advance on the first of the month
products as (
    select * from (
        values
        ('Managed services', 0.60, null),
        ('Cloud licences', 0.25, 0.78),
        ('Security', 0.15, 0.45)
    ) as t (product, mrr_share, cost_share)
),

monthly as (
    select
        cm.idx,
        cm.customer,
        cm.m,
        cm.month_start as date,
        pr.product,
        pr.cost_share,
        -- seats come and go a little from month to month
        cm.mrr * pr.mrr_share * (1 + 0.03 * demo_z(p.seed, 'seats', cm.idx, cm.m)) as amount,
        greatest(
            1,
            floor(p.invoice_items + demo_u(p.seed, 'items', cm.idx, cm.m * 10 + pr.mrr_share * 100))
        )::integer as items
    from demo_customer_months as cm
    inner join products as pr
        on pr.product = 'Managed services'
        or (pr.product = 'Cloud licences' and cm.has_cloud)
        or (pr.product = 'Security' and cm.has_security)
    cross join p
),

recurring_lines as (
    select
        date,
        idx,
        customer,
        1 as invoice_kind,
        0 as deal_no,
        round(amount / items, 2) as amount,
        product,
        true as recurring,
        round(amount / items * cost_share, 2) as cost,
        j
    from (select *, unnest(range(items)) as j from monthly)
),

-- won deals are invoiced about two months after closing, in one or two lines
project_split as (
    select * from (
        values
        ('onboarding', 'Projects', 1.00, null, null, null),
        ('project', 'Projects', 0.85, null, 'Hardware', 0.78),
        ('hardware', 'Hardware', 0.80, 0.78, 'Projects', null),
        ('security', 'Security', 0.90, 0.30, 'Projects', null),
        ('cloud', 'Projects', 0.60, null, 'Cloud licences', 0.80)
    ) as t (work, first_product, first_share, first_cost, second_product, second_cost)
),

won as (
    select d.*, s.first_product, s.first_share, s.first_cost, s.second_product, s.second_cost
    from demo_deal_plan as d
    inner join project_split as s on d.work = s.work
    cross join p
    where d.status = 'won' and d.invoice_date between p.start_month and p.end_date
),

-- the first line bills the first product's share of the value, the second (when the work has
-- a second product) the rest; each line's cost is its product's cost share of its amount
project_lines as (
    select
        w.invoice_date as date,
        w.idx,
        w.customer,
        2 as invoice_kind,
        w.deal_no,
        h.amount,
        h.product,
        false as recurring,
        round(h.costed * h.cost_share, 2) as cost,
        h.j
    from won as w,
        lateral (
            select
                0 as j,
                round(w.value * w.first_share, 2) as amount,
                w.value * w.first_share as costed,
                w.first_product as product,
                w.first_cost as cost_share
            union all
            select
                1,
                w.value - round(w.value * w.first_share, 2),
                w.value - round(w.value * w.first_share, 2),
                w.second_product,
                w.second_cost
        ) as h
    where h.j = 0 or w.second_product is not null
),

-- break/fix work billed by the hour, and the odd service credit (mostly to the complainers)
extras as (
    select
        3 + floor(24 * demo_u(p.seed, 'extra day', cm.idx, cm.m))::integer as day_offset,
        cm.month_start,
        cm.idx,
        cm.customer,
        cm.mrr,
        cm.m,
        demo_u(p.seed, 'break fix', cm.idx, cm.m) < 0.08 as break_fix,
        demo_u(p.seed, 'credit', cm.idx, cm.m)
        < case when cm.complainer then 0.12 else 0.004 end as credit
    from demo_customer_months as cm, p
),

extra_lines as (
    select
        least(month_start + day_offset, p.end_date) as date,
        idx,
        customer,
        3 as invoice_kind,
        0 as deal_no,
        round(120 * (1 + 8 * demo_u(p.seed, 'break fix amount', idx, m)), 0) as amount,
        'Projects' as product,
        false as recurring,
        null as cost,
        0 as j
    from extras, p
    where break_fix
    union all
    select
        least(month_start + day_offset, p.end_date) as date,
        idx,
        customer,
        4 as invoice_kind,
        0 as deal_no,
        -round(mrr * (0.05 + 0.1 * demo_u(p.seed, 'credit amount', idx, m)), 2) as amount,
        'Managed services' as product,
        false as recurring,
        null as cost,
        0 as j
    from extras, p
    where credit
),

lines as (
    select * from recurring_lines
    union all
    select * from project_lines
    union all
    select * from extra_lines
),

-- invoice numbers run in date order, one per customer's monthly, project or extra invoice
invoice_numbers as (
    select
        date,
        idx,
        invoice_kind,
        deal_no,
        10000 + row_number() over (order by date, idx, invoice_kind, deal_no) as invoice_number
    from (select distinct date, idx, invoice_kind, deal_no from lines)
),

-- when each invoice is paid: 30-day terms; a few habitually late customers (about one in
-- eight) pay 3-7 weeks after the due date, the rest within a few days of it either side; an
-- invoice not paid by the end date is still open. Drawn from hash streams of their own
-- ('late payer', 'days late'), so every other figure of the demo stays as it was.
payments as (
    select
        n.invoice_number,
        n.date + 30 as due,
        case
            when demo_u(p.seed, 'late payer', n.idx, 0) < 0.125
                then 20 + floor(30 * demo_u(p.seed, 'days late', n.idx, n.invoice_number))
            else floor(-6 + 12 * demo_u(p.seed, 'days late', n.idx, n.invoice_number))
        end::integer as days_late
    from invoice_numbers as n, p
)

select
    l.date,
    l.customer,
    l.amount::decimal(18, 2) as amount,
    'INV-' || lpad(n.invoice_number::varchar, 7, '0') as invoice_no,
    l.product,
    l.recurring,
    l.cost::decimal(18, 2) as cost,
    pay.due,
    case when pay.due + pay.days_late <= p.end_date then pay.due + pay.days_late end as paid,
    -- a unique sort key: invoice, then line
    (n.invoice_number * 8 + case l.product
        when 'Managed services' then 0 when 'Cloud licences' then 1 when 'Security' then 2
        when 'Projects' then 3 else 4
    end) * 16 + l.j as ord
from lines as l
inner join invoice_numbers as n
    on l.date = n.date and l.idx = n.idx and l.invoice_kind = n.invoice_kind
    and l.deal_no = n.deal_no
inner join payments as pay on n.invoice_number = pay.invoice_number
cross join p
