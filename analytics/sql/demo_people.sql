-- the demo business's staff: technicians, salespeople and admin, with their working habits
with p as (
    select * from demo_params
),

names as (
    select * from demo_names
),

roles as (
    select 'sales' as role, t.n from p, range(1, p.salespeople + 1) as t (n)
    union all
    select 'tech' as role, t.n from p, range(1, p.techs + 1) as t (n)
    union all
    select 'admin' as role, t.n from p, range(1, p.admins + 1) as t (n)
),

numbered as (
    select
        role,
        n::integer as n,
        row_number() over (order by role desc, n) as person_idx
    from roles
)

select
    numbered.person_idx,
    numbered.role,
    numbered.n,
    names.first_names[1 + ((numbered.person_idx * 7 + p.seed * 5) % 59)::integer]
    || ' '
    || names.surnames[1 + ((numbered.person_idx * 11 + p.seed * 3) % 83)::integer] as person,
    -- the one technician who never stops, and the one salesperson who always discounts
    numbered.role = 'tech' and numbered.n = 3 as overworked,
    numbered.role = 'sales' and numbered.n = 2 as discounter,
    -- a personal steady day: 7.3-8.3 h for technicians, 5-7 h logged by sales, 6.5-8 h admin
    case numbered.role
        when 'tech' then 7.3 + demo_u(p.seed, 'day hours', numbered.person_idx, 0)
        when 'sales' then 5.0 + 2.0 * demo_u(p.seed, 'day hours', numbered.person_idx, 0)
        else 6.5 + 1.5 * demo_u(p.seed, 'day hours', numbered.person_idx, 0)
    end as usual_day
from numbered, names, p
