-- Every customer with revenue or tickets in the last 12 months ($current_after, $as_of]:
-- revenue against support burden (ticket hours when $use_hours, else the number of
-- tickets), each split at its median over these customers. High means strictly above the
-- median: ideal = high revenue, low burden; grow = low, low; fix_or_fire = low revenue,
-- high burden; maintain = high, high. With the attributes the ideal profile compares
-- (segment, size band, region, channel; null when not known).
with source_invoices as (
    select customer, amount
    from macros.invoice_days_between($ws, $current_after, $as_of)
),

source_tickets as (
    select customer, hours
    from macros.tickets_between($ws, $current_after, $as_of)
),

revenue as (
    select customer, sum(amount)::double as revenue
    from source_invoices
    group by customer
),

support as (
    select customer, count(*) as tickets,
        coalesce(sum(hours) filter (where hours >= 0), 0)::double as ticket_hours
    from source_tickets
    group by customer
),

joined as (
    -- a figure the customer has none of is 0
    select
        customer,
        coalesce(columns(r.* exclude (customer)), 0),
        coalesce(columns(s.* exclude (customer)), 0)
    from revenue as r
    full join support as s using (customer)
),

burdened as (
    select *, (case when $use_hours then ticket_hours else tickets end)::double as burden
    from joined
    where revenue > 0 or tickets > 0
),

medians as (
    select median(revenue)::double as median_revenue, median(burden)::double as median_burden
    from burdened
),

cleaned as (
    select
        j.*,
        m.median_revenue,
        m.median_burden,
        j.revenue > m.median_revenue as high_revenue,
        j.burden > m.median_burden as high_burden,
        macros.segment_or_none(c.segment) as segment,
        macros.trimmed(c.region) as region,
        case
            when c.size is null then null
            when c.size < 10 then '1–9'
            when c.size < 50 then '10–49'
            when c.size < 250 then '50–249'
            else '250+'
        end as size_band,
        macros.trimmed(c.channel) as channel,
        macros.trimmed(c.segment) is not null as has_segment
    from burdened as j
    cross join medians as m
    left join macros.current_customers($ws) as c on j.customer = c.customer
),

final as (
    select
        *,
        case
            when high_revenue and not high_burden then 'ideal'
            when not high_revenue and not high_burden then 'grow'
            when not high_revenue and high_burden then 'fix_or_fire'
            else 'maintain'
        end as quadrant
    from cleaned
)

select * from final
order by revenue desc, customer
