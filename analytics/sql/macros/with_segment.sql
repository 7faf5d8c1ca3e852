-- The rows of `rows` (with a customer column) in workspace `ws`, each with its customer's
-- segment as figures group it (segment_or_none of customers_current; a customer absent from
-- it is '(no segment)') as a last column, `segment`.
create or replace macro macros.main.with_segment(ws, rows) as table
    select
        r.*,
        macros.segment_or_none(c.segment) as segment
    from query_table(rows) as r
    left join macros.current_customers(ws) as c on r.customer = c.customer
