-- Invoiced revenue in ($after, $as_of], split into hardware (a product line containing
-- "hardware") and the rest, which is counted as service revenue; lines without a product are
-- counted as service. product_lines says how many lines name their product at all.
with source as (
    select amount::double as amount, macros.trimmed(product) as product
    from invoices
    where workspace_id = $ws and date > $after and date <= $as_of and amount is not null
),

final as (
    select
        count(*) as lines,
        count(product) as product_lines,
        coalesce(sum(amount), 0) as revenue,
        coalesce(sum(amount) filter (where product ilike '%hardware%'), 0) as hardware_revenue,
        coalesce(sum(amount) filter (where product is null or product not ilike '%hardware%'), 0)
            as service_revenue
    from source
)

select * from final
