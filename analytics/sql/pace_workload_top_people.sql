-- The person-weeks of the workload heatmap, from `weeks` (the workload_pace indicator's own
-- rows: person, week_start, hours): the $top people with the most weeks outside the
-- sustainable band ($low–$high hours), ranked 1 = most weeks outside, then most weeks too
-- fast, then the most hours beyond the band in all, then by name; every person when $top is
-- null. people is how many there are in all.
with source as (
    select person::varchar as person, week_start, hours::double as hours
    from weeks
),

per_person as (
    select
        person,
        count(*) filter (where hours > $high or hours < $low) as weeks_outside,
        count(*) filter (where hours > $high) as weeks_too_fast,
        sum(greatest(hours - $high, $low - hours, 0)) as hours_outside
    from source
    group by person
),

ranked as (
    select
        *,
        row_number() over (
            order by weeks_outside desc, weeks_too_fast desc, hours_outside desc, person
        ) as rank,
        count(*) over () as people
    from per_person
),

final as (
    select
        s.person,
        s.week_start,
        s.hours,
        r.rank,
        r.people,
        r.weeks_outside,
        r.weeks_too_fast
    from source as s
    inner join ranked as r on s.person = r.person
    where $top is null or r.rank <= $top
)

select * from final
order by rank, week_start
