-- Revenue in the last 12 months ($current_after, $as_of]: all of it, the part on lines
-- whose recurring flag is known, and the recurring part of that.
with source_invoices as (
    select amount, recurring
    from macros.invoices_between($ws, $current_after, $as_of)
),

final as (
    select
        coalesce(sum(amount), 0)::double as revenue,
        coalesce(sum(amount) filter (where recurring is not null), 0)::double as known_revenue,
        coalesce(sum(amount) filter (where recurring), 0)::double as recurring_revenue,
        count(*) as lines,
        count(recurring) as flagged_lines
    from source_invoices
)

select * from final
