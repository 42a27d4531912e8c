-- Per week, location and SKU: the stock channels could sell but showed as unavailable over the week, in unit-hours, with how long and how much at most; the rows behind rpt_weekly_health's hidden units.
-- materialized: table
-- tests: not_null(week), not_null(location_id), not_null(sku), unique(week, location_id, sku), expression(hidden_unit_hours > 0), expression(hidden_hours > 0)
-- A channel's figure (`available_reported`) below what the truth lets it sell, in every bucket of
-- the week, not a snapshot at its last hour (which misses every episode that ended before it).
-- Each bucket stands for compare_every of time; two channels hiding the same SKU in one bucket
-- both count their units, as both lose the sales.
select
  m.week,
  m.location_id,
  m.sku,
  sum(-m.diff_units) * any_value(g.compare_every_minutes) / 60 as hidden_unit_hours,
  count(distinct m.bucket_at) * any_value(g.compare_every_minutes) / 60 as hidden_hours,
  max(-m.diff_units) as peak_hidden_units,
  string_agg(distinct m.source, ', ' order by m.source) as sources,
  min(m.bucket_at) as first_hidden_at,
  max(m.bucket_at) as last_hidden_at
from {{ ref('fct_mismatch') }} m, config.settings g
where m.direction = 'under' and m.measure = 'available_reported'
group by m.week, m.location_id, m.sku
