-- The latest answer per item of one run: the answer log is append-only, so the last write
-- per item wins and two sessions answering different items never overwrite each other.
with source as (
  select item_id, status, note, owner, due, changed_by, changed_at, id
  from checklist_answers
  where workspace_id = $w and run_id = $run
),

final as (
  select item_id, status, note, owner, due, changed_by, changed_at
  from source
  qualify row_number() over (partition by item_id order by id desc) = 1
)

select * from final order by item_id
