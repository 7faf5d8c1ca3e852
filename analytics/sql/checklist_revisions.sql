-- Every change to one run, newest first: who, when, which item and what changed.
with source as (
  select id, item_id, status, note, owner, due, changed_by, changed_at
  from checklist_answers
  where workspace_id = $w and run_id = $run
),

compared as (
  select
    *,
    lag(status) over item_order as prev_status,
    lag(note) over item_order as prev_note,
    lag(owner) over item_order as prev_owner,
    lag(due) over item_order as prev_due
  from source
  window item_order as (partition by item_id order by id)
),

final as (
  select
    changed_at,
    changed_by,
    item_id,
    concat_ws(
      '; ',
      case when status is distinct from coalesce(prev_status, 'not_started')
        then 'status: ' || coalesce(prev_status, 'not_started') || ' → ' || status end,
      case when note is distinct from coalesce(prev_note, '') then 'note changed' end,
      case when owner is distinct from coalesce(prev_owner, '')
        then 'owner: ' || coalesce(nullif(owner, ''), 'nobody') end,
      case when due is distinct from prev_due
        then 'due: ' || coalesce(cast(due as varchar), 'none') end
    ) as what,
    status,
    note,
    id
  from compared
)

select changed_at, changed_by, item_id, what, status, note from final order by id desc
