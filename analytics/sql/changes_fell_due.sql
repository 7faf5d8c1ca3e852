-- What fell due between two days (after $since, up to $as_of) for one workspace: its own
-- commitments from its peer groups' review sessions, and the steps of its Hard reset goals,
-- each with whether it is done as recorded so far (a commitment's latest review, a step's tick).
with my_members as (
  select group_id, member_key
  from peer_members
  where workspace_id = $w
),

commitments as (
  select c.id, c.owner, c.text, c.due, s.held_on
  from peer_commitments as c
  inner join peer_sessions as s on s.id = c.session_id
  inner join my_members as m on m.group_id = s.group_id and m.member_key = c.member_key
  where c.due > $since and c.due <= $as_of
),

latest_reviews as (
  select commitment_id, done
  from macros.latest_reviews()
  where commitment_id in (select id from commitments)
),

commitment_rows as (
  select
    'commitment' as kind,
    c.text as title,
    '' as goal,
    c.owner,
    c.due,
    coalesce(r.done, false) as done,
    c.held_on as session_day,
    null::varchar as template_id,
    c.id as item_id
  from commitments as c
  left join latest_reviews as r on r.commitment_id = c.id
),

step_rows as (
  select
    'goal step' as kind,
    st.title,
    g.title as goal,
    g.owner,
    st.due,
    st.done_on is not null as done,
    null::date as session_day,
    coalesce(run.template_id, 'elephant_walk') as template_id,
    st.id as item_id
  from goal_steps as st
  inner join goals as g on g.id = st.goal_id and g.workspace_id = st.workspace_id
  left join checklist_runs as run on run.id = g.source_run_id and run.workspace_id = g.workspace_id
  where st.workspace_id = $w and st.due > $since and st.due <= $as_of
),

final as (
  select * from commitment_rows
  union all by name
  select * from step_rows
)

select * from final order by due, kind, item_id
