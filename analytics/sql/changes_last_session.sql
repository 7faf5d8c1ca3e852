-- The day of the latest review session, before $as_of, of any peer group the workspace is a
-- member of (NULL when it has none): where "what changed since the last review" starts.
with my_groups as (
  select distinct group_id
  from peer_members
  where workspace_id = $w
),

final as (
  select max(s.held_on) as held_on
  from peer_sessions as s
  inner join my_groups as g on g.group_id = s.group_id
  where s.held_on < $as_of
)

select * from final
