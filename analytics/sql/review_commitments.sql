-- The commitments made in one session, each with its latest review from any later session:
-- what was decided, and whether it got done.
with made as (
  select id as commitment_id, session_id, member_key, owner, text, due, created_at
  from peer_commitments
  where session_id = $s
),

reviews as (
  select commitment_id, session_id as reviewed_in, held_on as reviewed_on, done, note
  from macros.latest_reviews()
  where commitment_id in (select commitment_id from made)
),

final as (
  select m.*, r.reviewed_in, r.reviewed_on, r.done, coalesce(r.note, '') as note
  from made as m
  left join reviews as r on r.commitment_id = m.commitment_id
)

select * from final order by created_at, commitment_id
