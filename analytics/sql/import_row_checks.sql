-- Rows that failed a sanity check at import, per kind of data and check: how many, the first
-- five (file row number and what names the row) and the files they came from. Only batches
-- still in use count: an undone or replaced import takes its flags with it.
with flagged as (
    select
        c.entity,
        c.check_id,
        c.batch_id,
        c.source_row,
        c.detail,
        b.file_name
    from row_checks as c
    inner join batches as b on c.batch_id = b.id and b.undone_at is null
    where c.workspace_id = $w
),

final as (
    select
        entity,
        check_id,
        count(*) as n,
        list(source_row order by batch_id, source_row)[1:5] as first_rows,
        list(detail order by batch_id, source_row)[1:5] as first_details,
        string_agg(distinct file_name, ', ' order by file_name) as files
    from flagged
    group by entity, check_id
)

select * from final
order by entity, check_id
