-- Every period (`grain`, fiscal shift as in period_start) from the first period_start in
-- `rows` up to the one holding `as_of`, for every segment in `rows`: the grid a per-period
-- chart fills, zeros included. `rows` needs period_start and segment columns.
create or replace macro macros.main.segment_periods(rows, grain, as_of, fiscal_shift) as table
    with periods as (
        select unnest(generate_series(
            min(period_start),
            macros.period_start(grain, as_of::date, fiscal_shift),
            macros.period_length(grain)
        ))::date as period_start
        from query_table(rows)
    )

    select p.period_start, s.segment
    from periods as p
    cross join (select distinct segment from query_table(rows)) as s
