-- The review sessions of one group, newest first, with how many commitments each made and how
-- many earlier commitments it reviewed (and found done).
with sessions as (
  select id, held_on, minutes_per_item, created_at, closed_at
  from peer_sessions
  where group_id = $g
),

made as (
  select session_id, count(*) as commitments_made
  from peer_commitments
  where session_id in (select id from sessions)
  group by session_id
),

latest_reviews as (
  select session_id, commitment_id, done
  from peer_commitment_reviews
  where session_id in (select id from sessions)
  qualify row_number() over (
    partition by session_id, commitment_id order by reviewed_at desc, rowid desc
  ) = 1
),

reviewed as (
  select session_id, count(*) as reviewed, count(*) filter (where done) as found_done
  from latest_reviews
  group by session_id
),

final as (
  select
    s.id as session_id,
    s.held_on,
    s.minutes_per_item,
    s.created_at,
    s.closed_at,
    coalesce(m.commitments_made, 0) as commitments_made,
    coalesce(r.reviewed, 0) as reviewed,
    coalesce(r.found_done, 0) as found_done
  from sessions as s
  left join made as m on m.session_id = s.id
  left join reviewed as r on r.session_id = s.id
)

select * from final order by held_on desc, session_id desc
