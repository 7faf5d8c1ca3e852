-- Every card published to or imported into one group, newest first, with its figure count.
with source as (
  select id, member_key, published_at, as_of, source
  from peer_cards
  where group_id = $g
),

counted as (
  select s.id, count(v.indicator_id) as figures
  from source as s
  left join peer_card_values as v on v.card_id = s.id
  group by s.id
),

final as (
  select s.id as card_id, s.member_key, s.published_at, s.as_of, s.source, c.figures
  from source as s
  inner join counted as c on c.id = s.id
)

select * from final order by published_at desc, card_id desc
