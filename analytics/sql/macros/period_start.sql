-- The first day of the month, quarter or year (`grain`) holding `day`, quarters and years
-- following a fiscal year that starts `fiscal_shift` months after January (3: 1 April).
create or replace macro macros.main.period_start(grain, day, fiscal_shift) as
    (date_trunc(grain, day - to_months(fiscal_shift)) + to_months(fiscal_shift))::date
