-- New customers (first-ever invoice) per segment in consecutive 3-month periods ending at
-- $as_of: period k runs from just after $ends[k + 2] to $ends[k + 1] inclusive ($ends: as_of,
-- then 3 months earlier each time, newest first), k = 0 the latest. A period is usable only
-- when it starts on or after $usable_from (once the invoices have run for 12 months: in the
-- first year every existing customer looks new). `falls` counts how many periods in a row,
-- up to the latest, a segment's new-customer count went down.
with cleaned as (
    select customer, first_invoice, segment
    from macros.first_invoices($ws, $as_of)
),

periods as (
    select
        b.k,
        $ends[b.k + 2] as starts_after,
        $ends[b.k + 1] as ends_on,
        $ends[b.k + 2] + 1 >= $usable_from::date as usable
    from (select unnest(generate_series(0, len($ends) - 2)) as k) as b
),

segments as (
    select distinct segment from cleaned
),

counted as (
    select
        s.segment,
        p.k,
        p.starts_after,
        p.ends_on,
        p.usable,
        count(c.customer) as new_customers
    from segments as s
    cross join periods as p
    left join cleaned as c
        on c.segment = s.segment and c.first_invoice > p.starts_after and c.first_invoice <= p.ends_on
    group by all
),

compared as (
    select
        *,
        -- the period before (k + 1) had more new customers than this one
        usable and lead(usable) over w
            and lead(new_customers) over w > new_customers as fell,
        usable and lead(usable) over w as comparable
    from counted
    window w as (partition by segment order by k)
),

final as (
    select
        segment,
        k,
        starts_after + 1 as period_start,
        ends_on as period_end,
        usable,
        new_customers,
        coalesce(
            min(k) filter (where comparable and not fell) over (partition by segment),
            count(*) filter (where comparable) over (partition by segment)
        ) as falls
    from compared
)

select * from final
order by segment, k
