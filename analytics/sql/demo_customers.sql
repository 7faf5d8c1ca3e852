-- the demo's customer list as the owner would export it (prospects included, marked as such)
select
    customer,
    cast(null as varchar) as external_id,  -- the demo has no CRM ids
    segment,
    region,
    size,
    channel,
    first_seen,
    renewal_date,
    status,
    idx as ord
from demo_accounts
