-- timesheets: delivery and presales hours booked to deals, the rest of each day spread over
-- customer support, internal work and improvement; one technician works far too long
with p as (
    select * from demo_params
),

people as (
    select * from demo_people
),

techs as (
    select person_idx, n, person from people where role = 'tech'
),

workdays as (
    select d.day::date as day
    from p, range(p.start_month, p.end_date + 1, interval 1 day) as d (day)
    where isodow(d.day) <= 5
        -- the office closes between Christmas and New Year
        and not (month(d.day) = 12 and day(d.day) >= 24)
        and not (month(d.day) = 1 and day(d.day) = 1)
),

-- how many hours each person puts in each day they work (weeks of leave left out)
person_days as (
    select
        pe.person_idx,
        pe.person,
        pe.role,
        pe.overworked,
        w.day,
        case
            when pe.overworked
                and demo_u(p.seed, 'crunch week', pe.person_idx, yearweek(w.day)) < 0.85
                then 11.0 + 2.0 * demo_u(p.seed, 'day length', pe.person_idx, w.day - p.start_month)
            when pe.overworked then 8.5 + demo_u(p.seed, 'day length', pe.person_idx, w.day - p.start_month)
            else pe.usual_day + 0.5 * demo_z(p.seed, 'day length', pe.person_idx, w.day - p.start_month)
        end as day_hours
    from people as pe, workdays as w, p
    where demo_u(p.seed, 'leave', pe.person_idx, yearweek(w.day))
        >= case when pe.overworked then 0.02 else 0.07 end
),

-- delivery of won deals: actual hours run over the estimate, most of all for the discounter
delivery as (
    select
        d.deal_no,
        d.deal_id,
        d.idx,
        d.customer,
        d.closed + 5 + floor(10 * demo_u(p.seed, 'delivery start', d.idx, d.deal_no))::integer
            as start_day,
        d.lead_tech,
        round(4 * d.estimated_hours * d.overrun) / 4 as actual_hours
    from demo_deal_plan as d, p
    where d.status = 'won' and d.closed <= p.end_date
),

delivery_split as (
    select
        *,
        ceil(actual_hours / 4)::integer as pieces,
        greatest(5, ceil(actual_hours / 1.5))::integer as span_days
    from delivery
),

delivery_entries as (
    select
        s.deal_id,
        s.customer,
        'customer' as category,
        true as billable,
        case
            when s.j % 2 = 1 and demo_u(p.seed, 'helper', s.deal_no, s.j) < 0.5
                then 1 + floor(p.techs * demo_u(p.seed, 'helper tech', s.deal_no, s.j))::integer
            else s.lead_tech
        end as tech_n,
        demo_piece_day(s.start_day, s.j, s.pieces, s.span_days) as raw_day,
        demo_piece_hours(s.actual_hours, s.j, s.pieces) as hours,
        s.deal_no,
        s.j
    from (select *, unnest(range(pieces)) as j from delivery_split) as s, p
),

-- technical presales on deals, won, lost or still open
presales as (
    select
        d.deal_no,
        d.deal_id,
        d.customer,
        d.created,
        greatest(1, coalesce(d.closed, p.end_date) - d.created) as span_days,
        d.presales_tech,
        d.presales_hours,
        ceil(d.presales_hours / 2)::integer as pieces
    from demo_deal_plan as d, p
    where d.presales_hours > 0
),

presales_entries as (
    select
        s.deal_id,
        s.customer,
        'presales' as category,
        false as billable,
        s.presales_tech as tech_n,
        demo_piece_day(s.created, s.j, s.pieces, s.span_days) as raw_day,
        demo_piece_hours(s.presales_hours, s.j, s.pieces) as hours,
        s.deal_no,
        s.j + 1000 as j
    from (select *, unnest(range(pieces)) as j from presales) as s
),

deal_entries as (
    select
        e.*,
        -- weekend work slides back to the Friday before
        demo_workday(e.raw_day) as day,
        t.person_idx,
        t.person
    from (
        select * from delivery_entries
        union all
        select * from presales_entries
    ) as e
    inner join techs as t on e.tech_n = t.n
),

dated_deal_entries as (
    select de.*
    from deal_entries as de, p
    where de.day between p.start_month and p.end_date
),

booked as (
    select person_idx, day, sum(hours) as hours
    from dated_deal_entries
    group by person_idx, day
),

-- what is left of each day after deal work, cut into a few entries
rest as (
    select
        pd.person_idx,
        pd.person,
        pd.role,
        pd.day,
        round(4 * greatest(pd.day_hours - coalesce(b.hours, 0), 0)) / 4 as hours_left
    from person_days as pd
    left join booked as b on pd.person_idx = b.person_idx and pd.day = b.day
),

sliced as (
    select
        *,
        least(
            case role when 'tech' then p.tech_slots else 2 end,
            floor(4 * hours_left)
        )::integer as pieces
    from rest, p
    where hours_left > 0
),

slots as (
    select
        s.person_idx,
        s.person,
        s.role,
        s.day,
        datediff('month', p.start_month, s.day) as m,
        s.j,
        demo_piece_hours(s.hours_left, s.j, s.pieces) as hours,
        demo_u(p.seed, 'slot kind', s.person_idx, (s.day - p.start_month) * 100 + s.j) as u_kind,
        demo_u(p.seed, 'slot customer', s.person_idx, (s.day - p.start_month) * 100 + s.j)
            as u_customer,
        demo_u(p.seed, 'slot billable', s.person_idx, (s.day - p.start_month) * 100 + s.j)
            as u_billable
    from (select *, unnest(range(pieces)) as j from sliced) as s, p
),

categorised as (
    select
        *,
        case role
            when 'tech' then case
                when u_kind < 0.62 then 'customer'
                when u_kind < 0.935 then 'internal'
                else 'improvement'
            end
            when 'sales' then case
                when u_kind < 0.35 then 'customer'
                when u_kind < 0.60 then 'presales'
                else 'internal'
            end
            else case when u_kind < 0.93 then 'internal' else 'improvement' end
        end as category
    from slots
),

month_totals as (
    select distinct m, support_total, sales_total
    from demo_customer_months
),

-- customer work goes to customers in proportion to their weight that month
to_pick as (
    select
        c.*,
        c.u_customer
        * case when c.role = 'sales' then t.sales_total else t.support_total end as target,
        c.role = 'sales' as by_sales
    from categorised as c
    inner join month_totals as t on c.m = t.m
    where c.category = 'customer'
),

picked_support as (
    select tp.*, cm.customer
    from (select * from to_pick where not by_sales) as tp
    asof inner join demo_customer_months as cm
        on tp.m = cm.m and tp.target >= cm.support_lo
),

picked_sales as (
    select tp.*, cm.customer
    from (select * from to_pick where by_sales) as tp
    asof inner join demo_customer_months as cm
        on tp.m = cm.m and tp.target >= cm.sales_lo
),

filler as (
    select
        day, person_idx, person, role, hours, customer, category, j,
        role = 'tech' and u_billable < 0.85 as billable
    from picked_support
    union all
    select
        day, person_idx, person, role, hours, customer, category, j, false as billable
    from picked_sales
    union all
    select
        day, person_idx, person, role, hours, null as customer, category, j, false as billable
    from categorised
    where category <> 'customer'
),

entries as (
    select
        day as date,
        person,
        hours,
        customer,
        null as deal_id,
        role,
        billable,
        category,
        person_idx,
        0 as deal_no,
        j
    from filler
    union all
    select
        day as date,
        person,
        hours,
        customer,
        deal_id,
        'tech' as role,
        billable,
        category,
        person_idx,
        deal_no,
        j
    from dated_deal_entries
)

select
    date,
    person,
    hours::double as hours,
    customer,
    deal_id::varchar as deal_id,
    role,
    billable,
    category,
    -- a unique sort key: each person's day of general work, then deal work deal by deal
    case
        when deal_no = 0 then ((date - p.start_month)::bigint * 4096 + person_idx) * 16 + j
        else (1::bigint << 40) + deal_no::bigint * 4096 + j
    end as ord
from entries, p
