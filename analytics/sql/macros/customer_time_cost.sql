-- The hours logged to each customer in time entries in the window (`after`, `as_of`] and
-- their cost at the rate of the role (`cost_rate`). Entries without a customer and negative
-- hours (flagged at import) are left out.
create or replace macro macros.main.customer_time_cost(
    ws, after, as_of, rate_tech, rate_sales, rate_admin, rate_default
) as table
    with by_role as (
        -- hours per customer and role first: the rate lookup then runs on a few rows each
        select customer, trim(role) as role, sum(hours) as hours
        from time_entries
        where workspace_id = ws and date > after and date <= as_of
            and customer is not null and hours >= 0
        group by all
    )

    select
        customer,
        sum(hours)::double as hours,
        sum(
            hours * macros.cost_rate(role, rate_tech, rate_sales, rate_admin, rate_default)
        )::double as time_cost
    from by_role
    group by customer
