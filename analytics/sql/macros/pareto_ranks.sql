-- The 80/20 ranking of a table of customers (`by_customer`: customer, segment, value, and
-- any other columns, carried along): those of `segments` only (an empty list: every
-- segment), ranked by value, largest first, ties broken by name, so "the top 20 %" is always
-- exactly ceil(20 % of the customers counted) customers, the same ones every time (k20, and
-- k4 for the top 4 %, in integer arithmetic). Adds rank, customers, k20, k4, share,
-- cumulative_share, top20, top4 and gini (on every row: 0 when every customer counts the
-- same, near 1 when one counts it all).
create or replace macro macros.main.pareto_ranks(by_customer, segments) as table
    with filtered as (
        select *
        from query_table(by_customer)
        where len(segments::varchar[]) = 0 or list_contains(segments::varchar[], segment)
    ),

    ranked as (
        select
            *,
            row_number() over (order by value desc, customer) as rank,
            count(*) over () as customers,
            sum(value) over () as total
        from filtered
    )

    select
        * exclude (total),
        ((customers * 20 + 99) // 100)::integer as k20,
        ((customers * 4 + 99) // 100)::integer as k4,
        value / total as share,
        sum(value) over (order by rank rows between unbounded preceding and current row)
            / total as cumulative_share,
        rank <= (customers * 20 + 99) // 100 as top20,
        rank <= (customers * 4 + 99) // 100 as top4,
        -- Gini from the ascending order (position customers + 1 - rank)
        2.0 * sum((customers + 1 - rank) * value) over () / (customers * total)
            - (customers + 1.0) / customers as gini
    from ranked
