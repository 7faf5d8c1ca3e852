-- How long one period of `grain` ('month', 'quarter' or 'year') lasts, as an interval.
create or replace macro macros.main.period_length(grain) as
    to_months(case grain when 'month' then 1 when 'quarter' then 3 else 12 end)
