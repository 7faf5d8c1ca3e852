-- The deals won in the 12 months to $as_of ($after, $as_of] with their discount (see
-- macros/won_discounts.sql), by salesperson, then close day and deal id: the discount
-- figure's table, without the hours and open deals friction_deals carries for the others.
with final as (
    select * from macros.won_discounts($ws, $after, $as_of, $threshold)
)

select * from final
order by owner, closed, deal_id
