-- The invoices a figure can read up to $as_of (per customer-day: invoice_days): first and
-- last date and how many lines; with $customers, also how many customers they name and how
-- many of those carry a segment (for niche's "what data would fix it" messages). Without it
-- those two are 0 and the customers are not even listed, so the span alone stays one scan.
with source as (
    select date, customer, lines
    from macros.invoice_days_to($ws, $as_of)
),

customers as (
    select distinct customer
    from source
    where $customers
),

segmented as (
    select
        count(*) as customers,
        count(*) filter (where macros.trimmed(c.segment) is not null) as segmented_customers
    from customers as b
    left join macros.current_customers($ws) as c on b.customer = c.customer
),

final as (
    select
        f.first_date,
        f.last_date,
        f.lines,
        s.customers,
        s.segmented_customers
    from (
        select
            min(date) as first_date,
            max(date) as last_date,
            coalesce(sum(lines), 0)::bigint as lines
        from source
    ) as f
    cross join segmented as s
)

select * from final
