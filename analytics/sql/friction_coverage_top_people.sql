-- The person-weeks of the coverage heatmap, from `weeks` (the time_tracking_coverage
-- indicator's own rows: person, week_start, hours, capacity, covered_hours): the $top people
-- with the most hours missing (capacity − hours logged, each week counted up to capacity),
-- ranked 1 = most missing, then lowest coverage, then by name; every person when $top is
-- null. people is how many there are in all.
with source as (
    select person::varchar as person, week_start, hours, capacity, covered_hours
    from weeks
),

per_person as (
    select
        person,
        coalesce(sum(capacity - covered_hours) filter (where capacity > 0), 0) as missing_hours,
        sum(covered_hours) filter (where capacity > 0)
            / nullif(sum(capacity) filter (where capacity > 0), 0) as coverage
    from source
    group by person
),

ranked as (
    select
        *,
        row_number() over (order by missing_hours desc, coverage asc nulls last, person) as rank,
        count(*) over () as people
    from per_person
),

final as (
    select s.person, s.week_start, s.hours, r.rank, r.people, r.missing_hours, r.coverage
    from source as s
    inner join ranked as r on s.person = r.person
    where $top is null or r.rank <= $top
)

select * from final
order by rank, week_start
