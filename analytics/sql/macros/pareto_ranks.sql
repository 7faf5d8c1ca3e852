-- The 80/20 ranking of a table of customers (`by_customer`: customer, segment, value, and
-- any other columns, carried along): those of `segments` only (an empty list: every
-- segment), ranked by value, largest first, ties broken by name, so "the top 20 %" is always
-- exactly ceil(20 % of the customers counted) customers, the same ones every time (k20, and
-- k4 for the top 4 %, in integer arithmetic). Adds rank, customers, k20, k4, share,
-- cumulative_share, top20, top4 and gini (on every row: 0 when every customer counts the
-- same, near 1 when one counts it all). One ordered pass gives the rank and the running sum;
-- the count, the total and the Gini sum are plain aggregates.
create or replace macro macros.main.pareto_ranks(by_customer, segments) as table
    with filtered as (
        select *
        from query_table(by_customer)
        where len(segments::varchar[]) = 0 or list_contains(segments::varchar[], segment)
    ),

    ranked as (
        select
            *,
            row_number() over by_value as rank,
            sum(value) over (by_value rows between unbounded preceding and current row)
                as running
        from filtered
        window by_value as (order by value desc, customer)
    ),

    totals as (
        select count(*) as customers, sum(value) as total from filtered
    ),

    gini as (
        -- from the ascending order (position customers + 1 - rank)
        select
            2.0 * sum((t.customers + 1 - r.rank) * r.value)
                / (any_value(t.customers) * any_value(t.total))
                - (any_value(t.customers) + 1.0) / any_value(t.customers) as gini
        from ranked as r, totals as t
    )

    select
        r.* exclude (running),
        t.customers,
        ((t.customers * 20 + 99) // 100)::integer as k20,
        ((t.customers * 4 + 99) // 100)::integer as k4,
        r.value / t.total as share,
        r.running / t.total as cumulative_share,
        r.rank <= (t.customers * 20 + 99) // 100 as top20,
        r.rank <= (t.customers * 4 + 99) // 100 as top4,
        g.gini
    from ranked as r, totals as t, gini as g
