-- Which figure each system is held to at each location: a channel publisher's available_reported against the expected channel ATS, a stock system's on_hand against the truth's on_hand.
-- materialized: table
-- tests: not_null(source), not_null(location_id), unique(source, location_id), accepted_values(measure, ['available_reported','on_hand'])
-- The units compared (docs/metrics.md). Channel allocation rules (int_channel_allocation) travel
-- along so the expected figure can be computed from the truth's ATS.
select
  s.name as source,
  s.system,
  t.location_id,
  t.truth_source,
  case when s.system in ('ecommerce', 'marketplace') then 'available_reported' else 'on_hand' end as measure,
  c.channel,
  c.share,
  c.block_below,
  c.reserve,
  c.other_reserve
from config.sources s
cross join {{ ref('int_location_truth') }} t
left join {{ ref('int_channel_allocation') }} c on c.source = s.name and c.location_id = t.location_id
where t.truth_source is not null
  and s.name <> t.truth_source
  and (s.system not in ('ecommerce', 'marketplace') or c.channel is not null)
-- A storefront publishing two channels at one location is held to the first by name.
qualify row_number() over (partition by s.name, t.location_id order by c.channel) = 1
