-- The invoices a figure can read up to $as_of (per customer-day: invoice_days): first and
-- last date and how many lines. One scan; how many customers they name is a question of its
-- own (niche_invoice_customers.sql).
with source as (
    select date, lines
    from macros.invoice_days_to($ws, $as_of)
),

final as (
    select
        min(date) as first_date,
        max(date) as last_date,
        coalesce(sum(lines), 0)::bigint as lines
    from source
)

select * from final
