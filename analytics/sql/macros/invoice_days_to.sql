-- `invoices_to` summed per customer and day (the invoice_days fact table): customer, date,
-- amount (the day's lines added up, exactly: money stays DECIMAL) and lines (how many). For
-- figures that only add up, count or date invoices: a sixth of the rows at the large demo.
create or replace macro macros.main.invoice_days_to(ws, as_of) as table
    select customer, date, amount, lines
    from invoice_days
    where workspace_id = ws and date <= as_of and customer is not null
