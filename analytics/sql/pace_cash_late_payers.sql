-- The customers who pay latest: per customer with invoices paid in the 12 months to $as_of
-- (and a due date), the median days paid after due and how many; and what they owe on $as_of
-- (lines dated on or before it, not paid by it). Latest first, at most $top.
with lines as (
    select * from macros.cash_lines($ws, $as_of)
),

invoices as (
    select
        customer,
        min(due) as due,
        max(paid) as paid
    from lines
    group by customer, coalesce(invoice_no, date::varchar)
),

lateness as (
    select customer, count(*) as paid_invoices, median(paid - due)::double as median_days_late
    from invoices
    where due is not null and paid between $as_of::date - 364 and $as_of::date
    group by customer
),

owed as (
    select customer, sum(amount)::double as open_amount
    from lines
    where paid is null or paid > $as_of::date
    group by customer
)

select l.customer, l.median_days_late, l.paid_invoices, coalesce(o.open_amount, 0) as open_amount
from lateness as l
left join owed as o on l.customer = o.customer
where l.median_days_late > 0
order by l.median_days_late desc, open_amount desc, l.customer
limit $top
