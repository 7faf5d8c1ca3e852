-- Every figure of each member's latest card in one group (cards published on or before $until
-- when given): the basis for the group's spread and for each member's reds. Money figures
-- carry their card's currency as `basis`, so amounts in different currencies never mix.
with cards as (
  select c.id, c.member_key, c.published_at, c.as_of, c.source, c.card
  from peer_cards as c
  inner join peer_members as m on m.group_id = c.group_id and m.member_key = c.member_key
  where c.group_id = $g
    and c.published_at::date <= coalesce($until::date, date '9999-12-31')
),

latest as (
  select *
  from cards
  qualify row_number() over (partition by member_key order by published_at desc, id desc) = 1
),

final as (
  select
    l.member_key,
    l.id as card_id,
    l.published_at,
    l.as_of,
    l.source,
    json_extract_string(l.card, '$.currency') as currency,
    v.indicator_id,
    v.unit,
    v.value,
    v.status,
    case when v.unit = 'money' then coalesce(json_extract_string(l.card, '$.currency'), '') else '' end
      as basis
  from latest as l
  inner join peer_card_values as v on v.card_id = l.id
)

select * from final order by member_key, indicator_id
