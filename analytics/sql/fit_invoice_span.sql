-- The first and last invoice date on or before $as_of, and how many invoice lines.
with source_invoices as (
    select date
    from invoices
    where workspace_id = $ws and date <= $as_of and date is not null
        and customer is not null and amount is not null
),

final as (
    select min(date) as first_date, max(date) as last_date, count(*) as lines
    from source_invoices
)

select * from final
