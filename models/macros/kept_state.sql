-- A stock state of a capture, where NULL (a delta file left the column out) keeps the series' previous value: the latest capture that stated it (its struct previous_<column>), or 0 when a full batch left the SKU out after that capture or when no capture stated it before.
-- params: [column]
coalesce({{ column }}, case when previous_{{ column }}.next_full_at < captured_at then 0 else previous_{{ column }}.units end, 0)
