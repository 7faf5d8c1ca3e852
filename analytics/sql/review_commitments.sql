-- The commitments made in one session, each with its latest review from any later session:
-- what was decided, and whether it got done.
with made as (
  select id as commitment_id, session_id, member_key, owner, text, due, created_at
  from peer_commitments
  where session_id = $s
),

reviews as (
  select r.commitment_id, r.session_id as reviewed_in, s.held_on as reviewed_on, r.done, r.note
  from peer_commitment_reviews as r
  inner join peer_sessions as s on s.id = r.session_id
  where r.commitment_id in (select commitment_id from made)
  qualify row_number() over (
    partition by r.commitment_id order by s.held_on desc, r.reviewed_at desc, r.rowid desc
  ) = 1
),

final as (
  select m.*, r.reviewed_in, r.reviewed_on, r.done, coalesce(r.note, '') as note
  from made as m
  left join reviews as r on r.commitment_id = m.commitment_id
)

select * from final order by created_at, commitment_id
