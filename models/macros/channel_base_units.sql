-- The units a channel's share applies to at a location with `ats` units available to sell: a channel with its own reserve gets at most that reserve; the others what is left after the other channels' reserves (floored at 0). `rule` is a row of int_channel_allocation.
-- params: [ats, rule]
case when {{ rule }}.reserve > 0 then least({{ ats }}, {{ rule }}.reserve) else greatest(0, {{ ats }} - {{ rule }}.other_reserve) end
