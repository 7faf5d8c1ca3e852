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
--   order-to-cash lag of $lag months, when that is after $as_of.
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

open_invoices as (
    select
        i.amount,
        coalesce(i.due, i.date + round(t.days)::integer)
        + round(
            case when cl.paid_invoices >= 3 then cl.days_late else w.days end
        )::integer as expected_day
    from invoices as i
    cross join terms as t
    cross join workspace_lateness as w
    left join customer_lateness as cl on i.customer = cl.customer
    where i.paid is null or i.paid > $as_of::date
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
    coalesce(sum(p.amount) filter (where p.source = 'invoices'), 0)::double as from_invoices,
    coalesce(sum(p.amount) filter (where p.source = 'deals'), 0)::double as from_deals,
    (
        select coalesce(sum(amount), 0) from open_invoices
        where expected_day < $as_of::date - 90
    )::double as doubtful
from weeks as w
left join placed as p on w.week = p.week
group by w.week
order by w.week
