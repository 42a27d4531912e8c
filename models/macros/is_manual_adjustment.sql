-- Whether an inventory movement's reason is a manual adjustment a person keyed in (counts, corrections, write-offs, finds): the movements a system that misses them is off by (unsynced_adjustment), and, when negative, the shrinkage behind an inferred stock-error cancellation.
-- params: [reason]
{{ reason }} in ('cycle_count', 'correction', 'shrinkage', 'damaged', 'found')
