-- Invoiced revenue in ($after, $as_of], split into hardware (a product line containing
-- "hardware") and the rest, which is counted as service revenue; lines without a product are
-- counted as service. product_lines says how many lines name their product at all. Money is
-- summed as DECIMAL (exact, the same whatever order the threads add it in), then made double.
with source as (
    select amount, macros.trimmed(product) as product
    from invoices
    where workspace_id = $ws and date > $after and date <= $as_of and amount is not null
),

final as (
    select
        count(*) as lines,
        count(product) as product_lines,
        coalesce(sum(amount), 0)::double as revenue,
        coalesce(sum(amount) filter (where product ilike '%hardware%'), 0)::double
            as hardware_revenue,
        coalesce(
            sum(amount) filter (where product is null or product not ilike '%hardware%'), 0
        )::double as service_revenue
    from source
)

select * from final
