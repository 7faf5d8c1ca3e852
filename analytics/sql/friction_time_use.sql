-- Per person, the hours logged in ($after, $as_of] and how they split: improvement work (a
-- category containing "improv"), hours with a category at all, hours whose billable flag is
-- known, billable hours, and hours logged to a customer.
with source as (
    select person, hours, category, billable, customer
    from time_entries
    where workspace_id = $ws and date > $after and date <= $as_of and hours is not null
),

final as (
    select
        coalesce(nullif(trim(person), ''), '(no name)') as person,
        sum(hours) as hours,
        coalesce(sum(hours) filter (where category ilike '%improv%'), 0) as improvement_hours,
        coalesce(sum(hours) filter (where nullif(trim(category), '') is not null), 0)
            as categorised_hours,
        coalesce(sum(hours) filter (where billable is not null), 0) as flagged_hours,
        coalesce(sum(hours) filter (where billable), 0) as billable_hours,
        coalesce(sum(hours) filter (where nullif(trim(customer), '') is not null), 0)
            as customer_hours
    from source
    group by 1
)

select * from final
order by hours desc, person
