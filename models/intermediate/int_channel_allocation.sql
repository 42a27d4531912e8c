-- Each channel's allocation rule at each location it sells from: its share, block_below and own reserve, and the reserve the other channels listing the location ring-fence (other_reserve). The rule itself is the channel_expected_units macro.
-- materialized: table
-- tests: not_null(channel), not_null(location_id), unique(channel, location_id)
with channel_at as (
  select c.channel, c.source, c.share, c.block_below, c.reserve, cl.location_id
  from config.channels c join config.channel_locations cl using (channel)
)
select a.channel, a.source, a.location_id, a.share, a.block_below, a.reserve, coalesce(sum(o.reserve), 0) as other_reserve
from channel_at a
left join channel_at o on o.location_id = a.location_id and o.channel <> a.channel and o.reserve > 0
group by all
