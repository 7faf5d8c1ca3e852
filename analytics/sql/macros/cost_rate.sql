-- The hourly cost of a time entry by the role logged on it: a role starting "tech" costs
-- `tech`, "sales" `sales`, "admin" `admin` (any case), anything else or none `other`.
create or replace macro macros.main.cost_rate(role, tech, sales, admin, other) as
    case
        when role ilike 'tech%' then tech
        when role ilike 'sales%' then sales
        when role ilike 'admin%' then admin
        else other
    end
