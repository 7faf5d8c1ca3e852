-- the demo's pipeline as a CRM would export it: stage names, normalised status, values, hours
select
    deal_id,
    status,
    customer,
    created,
    closed,
    value,
    list_value,
    owner,
    estimated_hours,
    presales_hours,
    source,
    stage,
    deal_no as ord
from demo_deal_plan
