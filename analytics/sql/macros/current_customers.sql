-- A workspace's customers as they stand now (customers_current): every column, raw; join
-- on customer and clean with segment_or_none / trimmed.
create or replace macro macros.main.current_customers(ws) as table
    select *
    from customers_current
    where workspace_id = ws
