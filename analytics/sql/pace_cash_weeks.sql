-- Expected cash in for each of the 13 weeks after $as_of (week k: days $as_of+7k-6 … $as_of+7k),
-- by source:
-- * open invoices (dated on or before $as_of, not paid by it), on their due date (or, without
--   one, the date plus the usual terms: the median days from date to due of the invoices read,
--   else 30) shifted by their customer's typical lateness: the median days paid after due
--   over the 12 months to $as_of when the customer has at least 3 such paid invoices, else
--   the workspace's median (else 0). An
--   expected day already past lands in week 1 (the money is due now); one more than 90 days
--   past is doubtful and left out (its total is in `doubtful`);
-- * won deals (closed on or before $as_of, with a value) not yet invoiced: closed plus the
--   order-to-cash lag of $lag months, when that is after $as_of;
-- * recurring billing not yet invoiced (lines with recurring true, the rule of
--   recurring_revenue_share; summed per invoice, on its date): each customer with recurring
--   lines in the last 3 complete months
--   (the months whose last day is on or before $as_of) is billed, in each month of the 13
--   weeks, the median of those 3 months' recurring totals (a month without counts as 0, so a
--   customer billed in 1 month of 3 is not projected) on the day of month of their last
--   recurring invoice (the month's last day when shorter), for the bills after $as_of; each
--   falls due after the usual terms and is shifted by the customer's lateness, as an open
--   invoice without a due date. A customer whose last recurring invoice is more than 2 months
--   before $as_of has stopped and is not projected.
-- An invoice is its lines of one number together (lines without a number: per customer-day);
-- only invoices open on $as_of or paid in the 12 months to it are read.
with lines as (
    select * from macros.cash_lines($ws, $as_of)
),

invoices as (
    select
        customer,
        coalesce(invoice_no, date::varchar) as invoice,
        min(date) as date,
        sum(amount) as amount,
        sum(amount) filter (where recurring) as recurring_amount,
        min(due) as due,
        max(paid) as paid
    from lines
    group by customer, coalesce(invoice_no, date::varchar)
),

terms as (
    select coalesce(median(due - date), 30) as days
    from invoices
    where due is not null
),

paid_lately as (
    select customer, paid - due as days_late
    from invoices
    where due is not null and paid between $as_of::date - 364 and $as_of::date
),

customer_lateness as (
    select customer, count(*) as paid_invoices, median(days_late) as days_late
    from paid_lately
    group by customer
),

workspace_lateness as (
    select coalesce(median(days_late), 0) as days from paid_lately
),

shifts as (
    -- per customer: the usual terms (days from date to due) and the days they pay after due
    select
        c.customer,
        round(t.days)::integer as terms_days,
        round(
            case when cl.paid_invoices >= 3 then cl.days_late else w.days end
        )::integer as late_days
    from (select distinct customer from invoices) as c
    cross join terms as t
    cross join workspace_lateness as w
    left join customer_lateness as cl on c.customer = cl.customer
),

open_invoices as (
    select
        i.amount,
        coalesce(i.due, i.date + s.terms_days) + s.late_days as expected_day
    from invoices as i
    inner join shifts as s on i.customer = s.customer
    where i.paid is null or i.paid > $as_of::date
),

recurring_billed as (
    -- recurring totals per customer and month, from the window's first month to $as_of (the
    -- month $as_of is in, when not complete, only tells the last recurring day)
    select
        customer,
        date_trunc('month', date)::date as month,
        sum(recurring_amount)::double as amount,
        max(date) as last_billed
    from invoices
    where recurring_amount is not null
        and date >= date_trunc('month', $as_of::date + 1) - interval 3 month
    group by all
),

recurring_customers as (
    select
        c.customer,
        c.last_billed,
        median(coalesce(b.amount, 0)) as monthly
    from (
        select customer, max(last_billed) as last_billed
        from recurring_billed
        group by customer
    ) as c
    cross join (
        -- the last 3 complete months: those whose last day is on or before $as_of
        select unnest(generate_series(
            date_trunc('month', $as_of::date + 1) - interval 3 month,
            date_trunc('month', $as_of::date + 1) - interval 1 month,
            interval 1 month
        ))::date as month
    ) as m
    left join recurring_billed as b on c.customer = b.customer and m.month = b.month
    group by c.customer, c.last_billed
    having median(coalesce(b.amount, 0)) > 0
        and c.last_billed >= ($as_of::date - interval 2 month)::date
),

recurring_bills as (
    select
        r.customer,
        r.monthly as amount,
        least(m.month + (day(r.last_billed) - 1)::integer, last_day(m.month)) as billed
    from recurring_customers as r
    cross join (
        select unnest(generate_series(
            date_trunc('month', $as_of::date)::timestamp, ($as_of::date + 91)::timestamp,
            interval 1 month
        ))::date as month
    ) as m
),

recurring as (
    select b.amount, b.billed + s.terms_days + s.late_days as expected_day
    from recurring_bills as b
    inner join shifts as s on b.customer = s.customer
    where b.billed > $as_of::date and b.billed <= $as_of::date + 91
),

won_deals as (
    select
        value::double as amount,
        (closed + to_months($lag::integer))::date as expected_day
    from macros.won_deals_to($ws, $as_of)
),

expected as (
    select 'invoices' as source, amount::double as amount, expected_day
    from open_invoices
    where expected_day >= $as_of::date - 90
    union all
    select 'deals', amount, expected_day
    from won_deals
    where expected_day > $as_of::date
    union all
    select 'recurring', amount, expected_day
    from recurring
),

placed as (
    select
        source,
        amount,
        ((greatest(expected_day - $as_of::date, 1) - 1) // 7 + 1)::integer as week
    from expected
),

weeks as (
    select unnest(range(1, 14))::integer as week
)

select
    w.week,
    ($as_of::date + 7 * w.week - 6) as week_start,
    ($as_of::date + 7 * w.week) as week_end,
    -- summed as decimals (to the millionth): a sum of doubles depends on the order the
    -- threads add them in, and the figure would move in its last digits from run to run
    coalesce(sum(p.amount::decimal(38, 6)) filter (where p.source = 'invoices'), 0)::double
        as from_invoices,
    coalesce(sum(p.amount::decimal(38, 6)) filter (where p.source = 'deals'), 0)::double
        as from_deals,
    coalesce(sum(p.amount::decimal(38, 6)) filter (where p.source = 'recurring'), 0)::double
        as from_recurring,
    (
        select coalesce(sum(amount::decimal(38, 6)), 0) from open_invoices
        where expected_day < $as_of::date - 90
    )::double as doubtful,
    (select count(*) from recurring_customers)::integer as recurring_customers
from weeks as w
left join placed as p on w.week = p.week
group by w.week
order by w.week
