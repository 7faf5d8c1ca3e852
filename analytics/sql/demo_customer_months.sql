-- each paying customer's billed months, with its spend that month and its share of attention
with p as (
    select * from demo_params
),

billed as (
    select
        a.idx,
        a.customer,
        a.account_manager,
        a.has_cloud,
        a.security_from_m,
        a.complainer,
        a.burden,
        a.appetite,
        a.size,
        unnest(range(a.bill_from_m, a.bill_to_m + 1)) as m,
        a.signed_m,
        a.mrr0,
        a.yearly_growth
    from demo_accounts as a
    where a.kind = 'customer' and a.bill_from_m <= a.bill_to_m
),

spend as (
    select
        b.idx,
        b.customer,
        b.m::integer as m,
        (p.start_month + to_months(b.m::integer))::date as month_start,
        b.account_manager,
        b.has_cloud,
        b.security_from_m is not null and b.m >= b.security_from_m as has_security,
        b.complainer,
        b.size,
        -- spend grows with price rises and added seats since signing (or since the
        -- history starts, for customers signed before it)
        b.mrr0 * pow(1 + b.yearly_growth, (b.m - greatest(b.signed_m, 0)) / 12.0) as mrr,
        b.burden,
        b.appetite
    from billed as b, p
),

weighted as (
    select
        *,
        -- support work follows spend (more seats) and the customer's own appetite for help
        mrr * burden as support_weight,
        -- account management follows spend
        sqrt(mrr) as sales_weight
    from spend
)

-- running totals per month let a uniform draw pick a customer in proportion to its weight
select
    *,
    sum(support_weight) over w - support_weight as support_lo,
    sum(support_weight) over (partition by m) as support_total,
    sum(sales_weight) over w - sales_weight as sales_lo,
    sum(sales_weight) over (partition by m) as sales_total
from weighted
window w as (partition by m order by idx rows between unbounded preceding and current row)
