-- Available to sell at a location: a stock state's free units, never below 0.
-- params: [state]
greatest(0, {{ free_units(state) }})
