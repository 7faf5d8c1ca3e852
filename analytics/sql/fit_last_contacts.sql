-- The last activity (call, email, meeting…) naming each customer on or before $as_of.
with source_activities as (
    select customer, date
    from activities
    where workspace_id = $ws and date <= $as_of and customer is not null and date is not null
),

final as (
    select customer, max(date) as last_contact, count(*) as activities
    from source_activities
    group by customer
)

select * from final
order by customer
