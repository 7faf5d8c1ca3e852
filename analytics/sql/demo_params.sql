-- the demo business's knobs in one row: dates, scale, and the windows where patterns are planted
with given as (
    -- demo_scale: the scale's knobs, one column each (demo.Scale, read from demo_scales.toml)
    select $seed::bigint as seed, $end_date::date as end_date, *
    from demo_scale
),

dated as (
    select
        *,
        -- four years of monthly history, ending with the month of end_date
        (date_trunc('month', end_date) - interval 47 month)::date as start_month,
        date_trunc('month', end_date)::date as end_month,
        -- every count is designed at ~242 customers and multiplied by this
        customers / 242.0 as f,
        -- the quiet spell: no prospecting for 6-7 weeks, starting ~6.5 months before the end
        date_trunc('week', end_date - 200)::date as gap_start,
        6 + (hash(seed, 'gap weeks') % 2)::integer as gap_weeks
    from given
)

select
    *,
    gap_start + 7 * gap_weeks - 1 as gap_end,
    -- the months the quiet spell empties of new business (won deals, new customers)
    date_trunc('month', gap_start + 30)::date as hole_from,
    date_trunc('month', gap_start + 7 * gap_weeks - 1 + 45)::date as hole_to,
    -- the first day nobody may invoice, book or log after
    end_date + 1 as after_end
from dated
