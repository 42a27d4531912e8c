-- Total stock at a location: a stock state's units on hand, where a negative on-hand (negative stock allowed upstream) counts as none; fct_negative_on_hand lists where it stands.
-- params: [state]
greatest(0, {{ state }}.on_hand)
