-- What the tickets opened in the last 12 months ($current_after, $as_of] record: how many,
-- how many are complaints (type contains "complain"), and how many carry hours;
-- and the workspace's first and last ticket on or before $as_of.
with source_tickets as (
    select opened, customer, hours, type
    from tickets
    where workspace_id = $ws and opened <= $as_of
),

final as (
    select
        count(*) filter (where opened > $current_after and customer is not null) as tickets,
        count(*) filter (
            where opened > $current_after and customer is not null and macros.is_complaint(type)
        ) as complaints,
        count(*) filter (
            where opened > $current_after and customer is not null and hours is not null
        ) as with_hours,
        min(opened) as first_opened,
        max(opened) as last_opened
    from source_tickets
)

select * from final
