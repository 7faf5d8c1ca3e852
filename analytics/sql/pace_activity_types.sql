-- The workspace's activity types, most used first: type, activities, and
-- counts (the type contains one of $prospecting_terms, as in pace_prospecting_weeks.sql), so
-- a message can name the types an owner might count as prospecting.
with source as (
    -- activities counted per week and type (activity_weeks)
    select type, activities
    from activity_weeks
    where workspace_id = $ws and macros.trimmed(type) is not null
),

by_type as (
    select
        type,
        sum(activities)::bigint as activities,
        macros.type_words(type) as k
    from source
    group by type
),

final as (
    select
        type,
        activities,
        len(list_filter($prospecting_terms::varchar[], lambda t: contains(k, t))) > 0 as counts
    from by_type
)

select * from final
order by activities desc, type
