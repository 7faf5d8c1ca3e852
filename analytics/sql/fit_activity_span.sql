-- The activities on or before $as_of: how many, how many name a customer, and the last date.
with source_activities as (
    select date, customer
    from activities
    where workspace_id = $ws and date <= $as_of and date is not null
),

final as (
    select
        count(*) as activities,
        count(customer) as naming_customers,
        max(date) as last_date,
        max(date) filter (where customer is not null) as last_naming_customer
    from source_activities
)

select * from final
