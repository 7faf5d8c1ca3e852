-- The members of one group with the label others see: "You" for the viewer, the member's name
-- only when they opted to show it, else "Member A", "Member B"… Letters go to the anonymous
-- members in the order they joined, whoever is looking, so "Member B" is the same business on
-- every screen in the room (the viewer's own letter is simply not shown to them).
with source as (
  select
    member_key, workspace_id, name, show_name, share_amounts, published_ids, reset_item,
    joined_at
  from peer_members
  where group_id = $g
),

lettered as (
  select
    *,
    case
      when show_name and trim(name) <> '' then null
      else row_number() over (
        partition by (show_name and trim(name) <> '') order by joined_at, member_key
      )
    end as letter_no
  from source
),

final as (
  select
    member_key,
    workspace_id,
    name,
    show_name,
    share_amounts,
    published_ids,
    reset_item,
    joined_at,
    member_key = $viewer as is_you,
    case
      when member_key = $viewer then 'You'
      when letter_no is null then trim(name)
      when letter_no <= 26 then 'Member ' || chr(64 + letter_no::integer)
      else 'Member ' || chr(64 + ((letter_no - 1) // 26)::integer)
        || chr(65 + ((letter_no - 1) % 26)::integer)
    end as label
  from lettered
)

select * from final order by joined_at, member_key
