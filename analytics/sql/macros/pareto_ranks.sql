-- The 80/20 ranking of a table of customers (`by_customer`: customer, segment, value, and
-- any other columns, carried along): those of `segments` only (an empty list: every
-- segment), ranked by value, largest first, ties broken by name, so "the top 20 %" is always
-- exactly ceil(20 % of the customers counted) customers, the same ones every time (k20, and
-- k4 for the top 4 %, in integer arithmetic). Adds rank, customers, k20, k4, share,
-- cumulative_share, top20, top4 and gini (on every row: 0 when every customer counts the
-- same, near 1 when one counts it all).
-- Windows only, no joins: one ordered pass gives the rank and the running sum, the count and
-- the total are windows over every row. The Gini sum comes from the running sums: with n
-- customers ranked largest first, sum over r of (n + 1 - r) * value_r (the ascending
-- positions times the values) equals the sum of the running sums, since each value is in the
-- running sum of its own rank and of every rank after it.
-- `running`, `customers` and `total` are its own working columns: a table passed in must not
-- have columns of those names.
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
                as running,
            count(*) over () as customers,
            sum(value) over () as total
        from filtered
        window by_value as (order by value desc, customer)
    )

    select
        * exclude (running, customers, total),
        customers,
        ((customers * 20 + 99) // 100)::integer as k20,
        ((customers * 4 + 99) // 100)::integer as k4,
        value / total as share,
        running / total as cumulative_share,
        rank <= (customers * 20 + 99) // 100 as top20,
        rank <= (customers * 4 + 99) // 100 as top4,
        2.0 * sum(running) over () / (customers * total) - (customers + 1.0) / customers as gini
    from ranked
