-- A capture's stock state as one integer (every state column and available_reported): a capture with its previous capture's fingerprint repeats it, one with another changes it.
-- params: [row]
hash({{ row }}.on_hand, {{ row }}.committed, {{ row }}.reserved_other, {{ row }}.damaged, {{ row }}.quality_control, {{ row }}.safety_stock, {{ row }}.in_transit, {{ row }}.incoming, {{ row }}.available_reported)
