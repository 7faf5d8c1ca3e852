-- The points of the value-vs-burden chart, from `customers` (the customer_quadrant
-- indicator's own rows, filtered as the page shows them: customer, revenue, burden,
-- quadrant). named marks the customers written on the chart: the $labels largest by revenue
-- and the $labels / 2 heaviest burdens. Up to $cap customers are all shown (shown = 'all').
-- Beyond that: every named customer and every one the coaching points at (shown = 'extreme':
-- the $keep largest by revenue, the $keep heaviest burdens, the $keep first ideal customers
-- by revenue and the $keep first to fix or fire, heaviest burden then least revenue first),
-- and of the rest every k-th in a stable order (quadrant, revenue, burden, customer), k
-- chosen so the chart holds at most $cap points (shown = 'sample'), so each quadrant keeps
-- its share. total and in_quadrant count every customer, shown or not; so do the axes'
-- figures: least_revenue / least_burden (the smallest above 0) and no_revenue / no_burden
-- (some customer has none). median_revenue and median_burden come through as they are.
with source as (
    select
        customer::varchar as customer,
        revenue::double as revenue,
        burden::double as burden,
        quadrant::varchar as quadrant,
        median_revenue::double as median_revenue,
        median_burden::double as median_burden
    from customers
),

ranked as (
    select
        *,
        row_number() over (order by revenue desc, customer) as by_revenue,
        row_number() over (order by burden desc, customer) as by_burden,
        row_number() over (
            partition by quadrant
            order by
                case when quadrant = 'fix_or_fire' then -burden else -revenue end,
                case when quadrant = 'fix_or_fire' then revenue else burden end,
                customer
        ) as in_quadrant_rank,
        count(*) over () as total,
        count(*) over (partition by quadrant) as in_quadrant,
        min(case when revenue > 0 then revenue end) over () as least_revenue,
        min(case when burden > 0 then burden end) over () as least_burden,
        bool_or(revenue <= 0) over () as no_revenue,
        bool_or(burden <= 0) over () as no_burden
    from source
),

flagged as (
    select
        *,
        by_revenue <= $labels or by_burden <= $labels // 2 as named,
        total > $cap and (
            by_revenue <= $keep
            or by_burden <= $keep
            or (quadrant in ('ideal', 'fix_or_fire') and in_quadrant_rank <= $keep)
        ) as extreme
    from ranked
),

counted as (
    select
        *,
        row_number() over (
            partition by extreme or named order by quadrant, revenue, burden, customer
        ) as place,
        count(*) over (partition by extreme or named) as in_group,
        count_if(extreme or named) over () as kept
    from flagged
),

final as (
    select
        customer,
        revenue,
        burden,
        quadrant,
        named,
        case
            when total <= $cap then 'all'
            when extreme or named then 'extreme'
            when $cap > kept
                and (place - 1) % ceil(in_group / ($cap - kept))::bigint = 0 then 'sample'
        end as shown,
        total,
        in_quadrant,
        kept,
        median_revenue,
        median_burden,
        least_revenue,
        least_burden,
        no_revenue,
        no_burden
    from counted
)

select * from final
where shown is not null
order by quadrant, revenue, burden, customer
