-- How much of the earlier 12 months a growth rate compares against holds invoices: the
-- window is cut into 12 one-month slices at $ends (newest first: slice k runs from just
-- after $ends[k + 2] to $ends[k + 1] inclusive, $ends[1] = as_of - 12 months), and a slice
-- counts when at least one invoice line falls in it. Also the first invoice date ever.
with slices as (
    select
        k,
        $ends[k + 2] as starts_after,
        $ends[k + 1] as ends_on
    from (select unnest(generate_series(0, len($ends) - 2)) as k)
),

source as (
    -- the days that hold invoices (a few hundred), not every customer-day: the join to the
    -- slices below is a comparison join, and only which days are covered matters
    select distinct date
    from macros.invoice_days_between($ws, $ends[len($ends)], $ends[1])
),

covered as (
    select distinct s.k
    from slices as s
    inner join source as i on i.date > s.starts_after and i.date <= s.ends_on
),

final as (
    select
        (select count(*) from covered) as months_with_invoices,
        (select count(*) from slices) as months,
        (
            select min(date) from macros.invoice_days_to($ws, 'infinity'::date)
        ) as first_invoice
)

select * from final
