-- The source whose counts are the truth at each location (its truth_source, by default the WMS).
-- materialized: view
-- tests: not_null(location_id), unique(location_id)
select
  l.location_id,
  coalesce(l.truth_source, (select min(name) from config.sources where system = 'wms')) as truth_source
from config.locations l
