-- A stock state of a capture at `at`, where `stated` is what the capture says (NULL: a delta file left the column out) and previous_<column> is the struct (units, next_full_at) of the series' latest capture before it that stated the column: what it says, else that capture's units, or 0 when a full batch left the SKU out after that capture or when no capture stated it before.
-- params: [column, stated, at]
coalesce({{ stated }}, case when previous_{{ column }}.next_full_at < {{ at }} then 0 else previous_{{ column }}.units end, 0)
