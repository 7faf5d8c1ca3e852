-- Per person, the hours logged in ($after, $as_of] and how they split: improvement work (a
-- category containing "improv"), hours with a category at all, hours whose billable flag is
-- known, billable hours, and hours logged to a customer.
-- Hours are summed per person, category, flag and customer-or-not first; the text tests then
-- run on those few rows instead of on every entry (the importer already turns blank text into
-- null).
with source as (
    select
        person,
        category,
        billable,
        customer is not null as to_customer,
        sum(hours) as hours
    from time_entries
    where workspace_id = $ws and date > $after and date <= $as_of and hours >= 0
    group by all
),

cleaned as (
    select
        coalesce(macros.trimmed(person), '(no name)') as person,
        hours,
        coalesce(category ilike '%improv%', false) as improvement,
        macros.trimmed(category) is not null as categorised,
        billable,
        to_customer
    from source
),

final as (
    select
        person,
        sum(hours) as hours,
        coalesce(sum(hours) filter (where improvement), 0) as improvement_hours,
        coalesce(sum(hours) filter (where categorised), 0) as categorised_hours,
        coalesce(sum(hours) filter (where billable is not null), 0) as flagged_hours,
        coalesce(sum(hours) filter (where billable), 0) as billable_hours,
        coalesce(sum(hours) filter (where to_customer), 0) as customer_hours
    from cleaned
    group by person
)

select * from final
order by hours desc, person
