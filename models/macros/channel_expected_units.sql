-- The allocation rule: what a channel may show at a location with `ats` units available to sell. A channel with its own reserve gets at most that reserve; the others what is left after the other channels' reserves (floored at 0); below block_below it shows 0, else its share of that base, rounded down. `rule` is a row of int_channel_allocation.
-- params: [ats, rule]
case when (case when {{ rule }}.reserve > 0 then least({{ ats }}, {{ rule }}.reserve) else greatest(0, {{ ats }} - {{ rule }}.other_reserve) end) < {{ rule }}.block_below then 0
  else floor({{ rule }}.share * (case when {{ rule }}.reserve > 0 then least({{ ats }}, {{ rule }}.reserve) else greatest(0, {{ ats }} - {{ rule }}.other_reserve) end)) end
