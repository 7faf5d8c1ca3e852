-- A workspace's invoice lines a figure can count, up to `as_of`: dated, naming a customer,
-- with an amount (the importer flags the others; every figure leaves them out alike).
create or replace macro macros.main.invoices_to(ws, as_of) as table
    select *
    from invoices
    where workspace_id = ws and date <= as_of
        and date is not null and customer is not null and amount is not null
