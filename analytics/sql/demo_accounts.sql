-- every customer and prospect of the demo business, with the hidden traits later demo queries use
with p as (
    select * from demo_params
),

names as (
    select * from demo_names
),

-- per segment: starting mix, typical size, price per seat, yearly growth of spend,
-- chance of not renewing at each anniversary, and new customers per month (start, end)
segments as (
    select * from (
        values
        (1, 'Dental practices', 0.30, 0.20, 11.0, 0.45, 29.0, 0.18, 0.24, 0.0, 0.0),
        (2, 'Law firms', 0.18, 0.18, 18.0, 0.80, 18.0, 0.05, 0.54, 0.30, 0.30),
        (3, 'Accountants', 0.15, 0.16, 14.0, 0.70, 17.0, 0.05, 0.50, 0.28, 0.28),
        (4, 'Manufacturing', 0.14, 0.18, 55.0, 1.00, 12.0, 0.05, 0.45, 0.18, 0.36),
        (5, 'Non-profits', 0.12, 0.12, 22.0, 0.80, 10.0, 0.03, 0.62, 0.22, 0.22),
        (6, 'Construction', 0.11, 0.16, 30.0, 0.90, 12.0, 0.05, 0.54, 0.20, 0.34)
    ) as s (
        seg, segment, initial_share, prospect_share, size_median, size_sigma, seat_price,
        yearly_growth, non_renewal, new_rate_start, new_rate_end
    )
),

shares as (
    select
        *,
        sum(initial_share) over (order by seg) - initial_share as initial_lo,
        sum(initial_share) over (order by seg) as initial_hi,
        sum(prospect_share) over (order by seg) - prospect_share as prospect_lo,
        sum(prospect_share) over (order by seg) as prospect_hi
    from segments
),

-- customers already on the books when the history starts, signed up to 8 years earlier
initial as (
    select
        'customer' as kind,
        s.seg,
        p.start_month - 30 - floor(2900 * demo_u(p.seed, 'initial since', i.n, 0))::integer
            as first_seen,
        i.n as tiebreak
    from p, range(1, round(110 * p.f)::bigint + 1) as i (n), shares as s
    where demo_within(demo_u(p.seed, 'initial segment', i.n, 0), s.initial_lo, s.initial_hi)
),

-- the niche: new dental practices per calendar quarter, fewer each quarter over the last year
dental_quarters as (
    select
        q.qk,
        greatest(
            (date_trunc('quarter', p.end_date) - to_months(3 * q.qk::integer))::date,
            p.start_month
        ) as first_month,
        least(
            (date_trunc('quarter', p.end_date) - to_months(3 * q.qk::integer - 2))::date,
            p.end_month
        ) as last_month,
        round(p.f * [0, 1, 2, 3, 4, 4, 4, 5][least(q.qk, 7)::integer + 1])::integer
            as new_customers
    from p, range(0, 18) as q (qk)
    where (date_trunc('quarter', p.end_date) - to_months(3 * q.qk::integer - 2))::date
        >= p.start_month
),

-- spread over the quarter's months, avoiding the months the quiet spell left empty
dental_months as (
    select
        d.*,
        coalesce(
            nullif(
                list_filter(
                    generate_series(d.first_month, d.last_month, interval 1 month),
                    lambda x: x::date not between p.hole_from and p.hole_to
                ),
                []
            ),
            generate_series(d.first_month, d.last_month, interval 1 month)
        ) as eligible
    from dental_quarters as d, p
),

dental_new as (
    select
        'customer' as kind,
        1 as seg,
        d.eligible[1 + (d.j * len(d.eligible) // d.new_customers)::integer]::date as month_start,
        d.j
    from (
        select *, unnest(range(new_customers)) as j from dental_months
    ) as d
),

-- the other segments: a steady (for some growing) stream, thinned after the quiet spell
months as (
    select
        m.m::integer as m,
        (p.start_month + to_months(m.m::integer))::date as month_start,
        case
            when (p.start_month + to_months(m.m::integer))::date between p.hole_from and p.hole_to
                then 0.2
            else 1.0
        end as pace
    from p, range(0, 48) as m (m)
),

expected_new as (
    select
        s.seg,
        months.m,
        months.month_start,
        p.f * months.pace
        * (s.new_rate_start + (s.new_rate_end - s.new_rate_start) * months.m / 47.0) as e
    from shares as s, months, p
    where s.seg > 1
),

counted_new as (
    select
        seg,
        month_start,
        (
            floor(sum(e) over (partition by seg order by m) + 0.5)
            - floor(sum(e) over (partition by seg order by m) - e + 0.5)
        )::integer as new_customers
    from expected_new
),

others_new as (
    select
        'customer' as kind,
        seg,
        month_start,
        unnest(range(new_customers)) as j
    from counted_new
),

signed_new as (
    select
        n.kind,
        n.seg,
        least(
            n.month_start
            + floor(28 * demo_u(p.seed, 'signed day', n.seg * 100000 + n.j, hash(n.month_start)))
                ::integer,
            p.end_date
        ) as first_seen,
        datediff('month', p.start_month, n.month_start) * 10000 + n.j as tiebreak
    from (
        select kind, seg, month_start, j from dental_new
        union all
        select kind, seg, month_start, j from others_new
    ) as n, p
),

prospects as (
    select
        'prospect' as kind,
        s.seg,
        null::date as first_seen,
        i.n as tiebreak
    from p, range(1, round(230 * p.f)::bigint + 1) as i (n), shares as s
    where demo_within(demo_u(p.seed, 'prospect segment', i.n, 0), s.prospect_lo, s.prospect_hi)
),

accounts as (
    select
        -- numbered in signing order; the tiebreak makes the numbering unique, so the
        -- same seed always numbers (and so draws for) the same accounts
        row_number() over (
            order by kind, first_seen nulls last, seg, tiebreak
        )::integer as idx,
        * exclude (tiebreak)
    from (
        select * from initial
        union all
        select * from signed_new
        union all
        select * from prospects
    )
),

traits as (
    select
        a.idx,
        a.kind,
        a.seg,
        s.segment,
        a.first_seen,
        greatest(
            2,
            least(
                2500,
                round(s.size_median * exp(s.size_sigma * demo_z(p.seed, 'size', a.idx, 0)))
            )
        )::integer as size,
        demo_u(p.seed, 'region', a.idx, 0) as u_region,
        demo_u(p.seed, 'channel', a.idx, 0) as u_channel,
        demo_u(p.seed, 'name pattern', a.idx, 0) as u_pattern,
        s.seat_price,
        s.yearly_growth,
        s.non_renewal,
        demo_z(p.seed, 'spend', a.idx, 0) as z_spend,
        demo_z(p.seed, 'burden', a.idx, 0) as z_burden,
        a.kind = 'customer' and demo_u(p.seed, 'complainer', a.idx, 0) < 0.045 as complainer
    from accounts as a
    inner join shares as s on a.seg = s.seg
    cross join p
),

described as (
    select
        *,
        case
            when u_region < 0.30 then 'Harbourside'
            when u_region < 0.52 then 'North Shore'
            when u_region < 0.70 then 'Eastfield'
            when u_region < 0.85 then 'West Valley'
            else 'Downtown'
        end as region,
        case
            when kind = 'prospect' then case
                when u_channel < 0.40 then 'cold outreach'
                when u_channel < 0.65 then 'website'
                when u_channel < 0.80 then 'event'
                when u_channel < 0.90 then 'partner'
                else 'referral'
            end
            when seg = 1 then case
                when u_channel < 0.45 then 'referral'
                when u_channel < 0.55 then 'website'
                when u_channel < 0.65 then 'cold outreach'
                when u_channel < 0.75 then 'partner'
                else 'event'
            end
            else case
                when u_channel < 0.35 then 'referral'
                when u_channel < 0.57 then 'website'
                when u_channel < 0.75 then 'cold outreach'
                when u_channel < 0.90 then 'partner'
                else 'event'
            end
        end as channel
    from traits
),

named as (
    select
        d.*,
        names.surnames[1 + (hash(p.seed, 'surname', d.idx) % 83)::integer] as sn,
        names.surnames[1 + (hash(p.seed, 'surname 2', d.idx) % 83)::integer] as sn2,
        names.places[1 + (hash(p.seed, 'place', d.idx) % 61)::integer] as pl,
        names.first_names[1 + (hash(p.seed, 'first name', d.idx) % 59)::integer] as fn,
        floor(5 * d.u_pattern)::integer as pattern
    from described as d, names, p
),

base_named as (
    select
        *,
        case seg
            when 1 then [
                pl || ' Dental', sn || ' Family Dentistry', 'Dr ' || fn || ' ' || sn || ' DDS',
                pl || ' Smile Studio', sn || ' & ' || sn2 || ' Dental Group'
            ][pattern + 1]
            when 2 then [
                sn || ' & ' || sn2 || ' LLP', sn || ' Law Group', pl || ' Legal',
                sn || ' ' || sn2 || ' Attorneys', fn || ' ' || sn || ' Law'
            ][pattern + 1]
            when 3 then [
                sn || ' & ' || sn2 || ' CPAs', pl || ' Tax & Accounts', sn || ' Bookkeeping',
                fn || ' ' || sn || ' CPA', sn || ' ' || sn2 || ' Accounting'
            ][pattern + 1]
            when 4 then [
                pl || ' Precision', sn || ' Fabrication', pl || ' Plastics',
                sn || ' Tool & Die', sn || ' & ' || sn2 || ' Manufacturing'
            ][pattern + 1]
            when 5 then [
                pl || ' Food Bank', 'Friends of ' || pl, 'The ' || sn || ' Foundation',
                pl || ' Youth Club', pl || ' ' || sn || ' Trust'
            ][pattern + 1]
            else [
                sn || ' Builders', sn || ' & Sons Construction', pl || ' Roofing',
                sn || ' Electrical', sn || ' ' || sn2 || ' Contractors'
            ][pattern + 1]
        end as base_name
    from named
),

unique_named as (
    select
        *,
        row_number() over (partition by base_name order by idx) as rn
    from base_named
),

-- each anniversary inside the history is a renewal the customer may decline
anniversaries as (
    select
        d.idx,
        (d.first_seen + to_years(k.k::integer))::date as anniversary,
        demo_u(p.seed, 'renews', d.idx, k.k)
        < d.non_renewal
        * case d.channel when 'referral' then 0.8 when 'cold outreach' then 1.25 else 1.0 end
        * case when d.complainer then 1.3 else 1.0 end
        -- small spenders leave more easily than big ones
        * case when d.z_spend > 1.0 then 0.4 when d.z_spend > 0.0 then 0.9 else 1.35 end as leaves
    from described as d, range(1, 41) as k (k), p
    where d.kind = 'customer'
        and (d.first_seen + to_years(k.k::integer))::date between p.start_month and p.end_date + 400
),

renewals as (
    select
        a.idx,
        min(a.anniversary) filter (where a.leaves and a.anniversary <= p.end_date) as left_on,
        min(a.anniversary) filter (where a.anniversary > p.end_date) as next_renewal
    from anniversaries as a, p
    group by a.idx
)

select
    u.idx,
    u.kind,
    u.seg,
    case
        when u.rn = 1 then u.base_name
        when u.rn <= 9 then u.base_name || ' - ' || names.branches[u.rn - 1]
        else u.base_name || ' ' || u.rn
    end as customer,
    u.segment,
    u.region,
    u.size,
    u.channel,
    u.first_seen,
    case when r.left_on is null then r.next_renewal else r.left_on end as renewal_date,
    case
        when u.kind = 'prospect' then 'prospect'
        when r.left_on is not null then 'churned'
        else 'active'
    end as status,
    u.complainer,
    -- monthly recurring spend when signed: price per seat, sized, with a heavy tail
    round(
        least(30000, u.seat_price * pow(u.size, 0.95) * exp(1.7 * u.z_spend))
        * case u.channel
            when 'referral' then 1.25 when 'partner' then 1.1 when 'cold outreach' then 0.8
            else 1.0
        end,
        2
    ) as mrr0,
    u.yearly_growth,
    -- how much help the customer asks for, relative to its size; complainers ask for a lot
    exp(0.7 * u.z_burden)
    * case u.channel when 'referral' then 0.75 when 'cold outreach' then 1.4 else 1.0 end
    * case u.region when 'Harbourside' then 0.85 when 'Downtown' then 1.25 else 1.0 end
        as appetite,
    exp(0.7 * u.z_burden)
    * case u.channel when 'referral' then 0.75 when 'cold outreach' then 1.4 else 1.0 end
    * case u.region when 'Harbourside' then 0.85 when 'Downtown' then 1.25 else 1.0 end
    * case when u.complainer then 6.0 else 1.0 end as burden,
    demo_u(p.seed, 'cloud', u.idx, 0) < 0.7 as has_cloud,
    case
        when demo_u(p.seed, 'security', u.idx, 0) < 0.55
            then floor(72 * demo_u(p.seed, 'security from', u.idx, 0))::integer - 24
    end as security_from_m,
    1 + floor(p.salespeople * demo_u(p.seed, 'account manager', u.idx, 0))::integer
        as account_manager,
    case when u.kind = 'customer' then datediff('month', p.start_month, u.first_seen) end
        as signed_m,
    case
        when u.kind = 'customer'
            then greatest(0, datediff('month', p.start_month, u.first_seen) + 1)
    end as bill_from_m,
    case
        when u.kind = 'customer'
            then coalesce(datediff('month', p.start_month, r.left_on), 47)
    end as bill_to_m
from unique_named as u
left join renewals as r on u.idx = r.idx
cross join names
cross join p
