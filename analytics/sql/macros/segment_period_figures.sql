-- `figures` (period_start, segment and the figures of that segment in that period) on the
-- full grid of segment_periods(rows, grain, as_of, fiscal_shift): every period for every
-- segment, the figures' other columns null where a segment had nothing in a period (the
-- caller says what an empty period counts as).
create or replace macro macros.main.segment_period_figures(rows, figures, grain, as_of, fiscal_shift)
as table
    select g.period_start, g.segment, f.* exclude (period_start, segment)
    from macros.segment_periods(rows, grain, as_of, fiscal_shift) as g
    left join query_table(figures) as f
        on g.period_start = f.period_start and g.segment = f.segment
