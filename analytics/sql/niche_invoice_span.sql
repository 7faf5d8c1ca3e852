-- The invoices a niche indicator can read up to $as_of: first and last date, lines, and how
-- many of those customers carry a segment (for "what data would fix it" messages).
with source as (
    select date, customer
    from invoices
    where workspace_id = $ws and date <= $as_of
        and date is not null and customer is not null and amount is not null
),

by_customer as (
    select customer, min(date) as first_date, max(date) as last_date, count(*) as lines
    from source
    group by customer
),

cleaned as (
    select
        b.*,
        nullif(trim(c.segment), '') is not null as has_segment
    from by_customer as b
    left join customers_current as c on c.workspace_id = $ws and b.customer = c.customer
),

final as (
    select
        min(first_date) as first_date,
        max(last_date) as last_date,
        coalesce(sum(lines), 0) as lines,
        count(*) as customers,
        count(*) filter (where has_segment) as segmented_customers
    from cleaned
)

select * from final
