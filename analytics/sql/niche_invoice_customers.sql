-- The customers the invoices up to $as_of name (invoice_days_to), and how many of those carry
-- a segment: for niche's "what data would fix it" messages.
with customers as (
    select distinct customer
    from macros.invoice_days_to($ws, $as_of)
),

final as (
    select
        count(*) as customers,
        count(*) filter (where macros.trimmed(c.segment) is not null) as segmented_customers
    from customers as b
    left join macros.current_customers($ws) as c on b.customer = c.customer
)

select * from final
