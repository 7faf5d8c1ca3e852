-- A workspace's deals won on or before `as_of` with a value: what bookings count.
create or replace macro macros.main.won_deals_to(ws, as_of) as table
    select *
    from deals_current
    where workspace_id = ws and status = 'won' and closed is not null and closed <= as_of
        and value is not null
