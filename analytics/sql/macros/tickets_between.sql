-- A workspace's tickets opened in the window (`after`, `as_of`] that name a customer.
create or replace macro macros.main.tickets_between(ws, after, as_of) as table
    select *
    from tickets
    where workspace_id = ws and opened > after and opened <= as_of
        and customer is not null
