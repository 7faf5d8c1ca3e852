-- What a session reviews first: the commitments made at the group's previous session, each
-- with the state recorded in this session (latest review wins; reviews are only appended).
with this as (
  select id, group_id, held_on
  from peer_sessions
  where id = $s
),

previous as (
  select p.id, p.held_on
  from peer_sessions as p
  inner join this as t on p.group_id = t.group_id
  where p.held_on < t.held_on or (p.held_on = t.held_on and p.id < t.id)
  order by p.held_on desc, p.id desc
  limit 1
),

made as (
  select
    c.id as commitment_id, c.session_id, p.held_on as made_on, c.member_key, c.owner, c.text,
    c.due, c.created_at
  from peer_commitments as c
  inner join previous as p on p.id = c.session_id
),

reviews as (
  select commitment_id, done, note, reviewed_at
  from peer_commitment_reviews
  where session_id = $s
  qualify row_number() over (partition by commitment_id order by reviewed_at desc, rowid desc) = 1
),

final as (
  select m.*, r.done, coalesce(r.note, '') as note, r.reviewed_at
  from made as m
  left join reviews as r on r.commitment_id = m.commitment_id
)

select * from final order by created_at, commitment_id
