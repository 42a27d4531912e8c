-- The allocation rule: what a channel may show at a location with `ats` units available to sell. Below block_below it shows 0, else its share of the base (channel_base_units), rounded down: to whole units when the base is a whole number of units, to the fourth decimal place when the stock is counted in fractions (12.5 kg). `rule` is a row of int_channel_allocation.
-- params: [ats, rule]
case when {{ channel_base_units(ats, rule) }} < {{ rule }}.block_below then 0
  when {{ channel_base_units(ats, rule) }} = floor({{ channel_base_units(ats, rule) }}) then floor({{ rule }}.share * {{ channel_base_units(ats, rule) }})
  else floor({{ rule }}.share * {{ channel_base_units(ats, rule) }} * 10000) / 10000 end
