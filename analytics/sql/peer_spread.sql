-- Where a group stands on each figure: median and quartiles over each member's latest card,
-- by linear interpolation between members (quantile_cont), so three values 0.10, 0.20, 0.40
-- give Q1 0.15, median 0.20, Q3 0.30. Unknown figures (value null) are not counted.
with cards as (
  select c.id, c.member_key, c.published_at, c.card
  from peer_cards as c
  inner join peer_members as m on m.group_id = c.group_id and m.member_key = c.member_key
  where c.group_id = $g
),

latest as (
  select *
  from cards
  qualify row_number() over (partition by member_key order by published_at desc, id desc) = 1
),

figures as (
  select
    v.indicator_id,
    case when v.unit = 'money' then coalesce(json_extract_string(l.card, '$.currency'), '') else '' end
      as basis,
    v.value
  from latest as l
  inner join peer_card_values as v on v.card_id = l.id
  where v.value is not null
),

final as (
  select
    indicator_id,
    basis,
    count(*) as members,
    min(value) as low,
    quantile_cont(value, 0.25) as q1,
    quantile_cont(value, 0.5) as median,
    quantile_cont(value, 0.75) as q3,
    max(value) as high
  from figures
  group by indicator_id, basis
)

select * from final order by indicator_id, basis
