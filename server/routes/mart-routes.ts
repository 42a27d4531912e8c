import { Router } from 'express';
import { z } from 'zod';
import { sql } from '../../db/database.ts';
import { equals, flag, grain, inList, instant, oneOrMore, text, timeRange, weekRange, where } from '../filters.ts';
import { rowsEndpoint } from '../rows-endpoint.ts';
import { orderBy, tableEndpoint, type EndpointContext } from '../table-endpoint.ts';

const c = (name: string) => sql.ident(name);
const mart = (name: string) => ({ schema: 'marts', name, madeBy: 'stocklens build' });
const range = { from: instant.optional(), to: instant.optional() };
/** The units of agg_ats_daily, which /api/ats-daily sums the same way from fct_ats_daily for chosen SKUs. */
const atsStates = ['total_units', 'ats_units', 'non_sellable_units', 'committed', 'reserved_other', 'damaged', 'quality_control', 'safety_stock', 'in_transit'];

/** The dashboard's endpoints over the marts. */
export function martRoutes(context: EndpointContext): Router {
  const router = Router();
  const tz = context.config.timezone;

  tableEndpoint(router, context, {
    path: '/api/weekly-health',
    filters: { location: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await catalog.requireMart('rpt_weekly_health');
      return {
        select: sql`select * from marts.rpt_weekly_health ${where([inList(c('location_id'), f.location), ...timeRange(c('week'), 'date', f, tz)])}`,
        orderBy: orderBy('week', 'location_id'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/mismatch-rate',
    filters: { grain, location: oneOrMore.optional(), source: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      const filters = [inList(c('location_id'), f.location), inList(c('source'), f.source)];
      if (f.grain === 'week') {
        await catalog.requireMart('agg_mismatch_rate_weekly');
        return {
          select: sql`select week, location_id, source, compared, mismatched, mismatch_rate from marts.agg_mismatch_rate_weekly ${where([...filters, ...weekRange(c('week'), f)])}`,
          orderBy: orderBy('week', 'location_id', 'source'),
        };
      }
      await catalog.requireMart('agg_mismatch_rate');
      return {
        select: sql`select day, location_id, source, compared, mismatched, mismatch_rate from marts.agg_mismatch_rate
          ${where([...filters, ...timeRange(c('day'), 'date', f, tz)])}`,
        orderBy: orderBy('day', 'location_id', 'source'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/warehouses',
    filters: { location: oneOrMore.optional(), source: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await catalog.requireMart('agg_location_summary');
      // marts.agg_location_summary's 'ALL' rows hold every system's comparisons and the order lines;
      // with systems chosen, their own rows give the comparisons. Every configured location is listed.
      const comparisons = f.source ? sql`source <> 'ALL'` : sql`true`;
      return {
        select: sql`
          with days as (
            select * from marts.agg_location_summary
            ${where([sql`(source = 'ALL' or ${inList(c('source'), f.source) ?? sql`false`})`, ...timeRange(c('day'), 'date', f, tz)])}),
          located as (
            select location_id,
              coalesce(sum(d.compared) filter (where ${comparisons}), 0) as compared,
              coalesce(sum(d.mismatched) filter (where ${comparisons}), 0) as mismatched,
              coalesce(sum(d.order_lines), 0) as order_lines,
              coalesce(sum(d.oversell_lines), 0) as oversell_lines,
              coalesce(sum(d.stock_cancellations), 0) as stock_cancellations
            from days d full join config.locations l using (location_id)
            ${where([inList(c('location_id'), f.location), sql`location_id is not null`])}
            group by location_id)
          select rank() over (order by mismatched / nullif(compared, 0) desc nulls last, mismatched desc, stock_cancellations desc) as rank,
            location_id, coalesce(l.name, location_id) as location_name, compared, mismatched, mismatched / nullif(compared, 0) as mismatch_rate,
            order_lines, oversell_lines, stock_cancellations
          from located left join config.locations l using (location_id)`,
        orderBy: orderBy('rank', 'location_id'),
      };
    },
  });

  rowsEndpoint(router, context, {
    path: '/api/mismatch',
    relation: mart('fct_mismatch'),
    // `day` and `week` are the mart's own calendar columns (the config's time zone), so a drill-down
    // from a daily or weekly figure lists exactly the rows that figure counted.
    lists: { location: 'location_id', source: 'source', sku: 'sku', cause: 'probable_cause', measure: 'measure', day: 'day', week: 'week', bucket: 'bucket_at' },
    singles: { direction: { column: 'direction', values: z.enum(['over', 'under']).optional() } },
    time: 'bucket_at',
    orderBy: ['bucket_at desc', 'location_id', 'sku', 'source'],
  });

  tableEndpoint(router, context, {
    path: '/api/sku-timeline',
    filters: { sku: text, location: oneOrMore.optional(), source: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      await catalog.requireMart('fct_stock_position');
      await catalog.requireMart('fct_mismatch');
      // Every source's figure per bucket, beside the truth source's figures at that location (a window
      // over the bucket, not a second expansion of the view) and the cause of each mismatch. The source
      // filter applies after the window, so the truth's figures stay when its own rows are filtered out.
      return {
        select: sql`
          select * from (
            select p.bucket_at, p.location_id, p.sku, p.source, (p.source = l.truth_source) as is_truth,
              p.on_hand, p.committed, p.ats, p.available_reported, p.staleness_minutes, p.is_stale,
              max(p.ats) filter (where p.source = l.truth_source) over truth as truth_ats,
              max(p.on_hand) filter (where p.source = l.truth_source) over truth as truth_on_hand,
              m.truth_units, m.system_units, m.diff_units, m.direction, m.probable_cause
            from marts.fct_stock_position p
            left join config.locations l on l.location_id = p.location_id
            left join marts.fct_mismatch m
              on m.sku = ${f.sku} and m.bucket_at = p.bucket_at and m.location_id = p.location_id and m.source = p.source
            ${where([sql`p.sku = ${f.sku}`, inList(sql`p.location_id`, f.location), ...timeRange(sql`p.bucket_at`, 'timestamp', f, tz)])}
            window truth as (partition by p.bucket_at, p.location_id))
          ${where([inList(c('source'), f.source)])}`,
        orderBy: orderBy('bucket_at', 'location_id', 'source'),
      };
    },
  });

  rowsEndpoint(router, context, {
    path: '/api/sync-priority',
    relation: mart('rpt_sync_priority'),
    lists: { source: 'source', sku: 'sku' },
    singles: { needs_faster_sync: { column: 'needs_faster_sync', values: flag.optional() } },
    orderBy: ['exposure desc', 'source', 'sku'],
  });

  rowsEndpoint(router, context, {
    path: '/api/order-lines',
    relation: mart('fct_order_line'),
    lists: { location: 'location_id', channel: 'channel', sku: 'sku', status: 'status', cancel_reason: 'cancel_reason', stock_cause: 'stock_cause' },
    singles: { oversell: { column: 'is_oversell', values: flag.optional() } },
    // A line counts in a period by when it was placed; a cancellation by when it was cancelled (`at=cancelled`).
    time: { placed: 'placed_at', cancelled: 'cancelled_at' },
    orderBy: ['placed_at desc', 'order_id', 'line_id'],
  });

  rowsEndpoint(router, context, {
    path: '/api/stock-skus',
    relation: mart('fct_ats_daily'),
    lists: { location: 'location_id', sku: 'sku', day: 'day' },
    orderBy: ['day desc', 'location_id', 'sku'],
  });

  // The SKU-locations behind a week's hidden units: their count and unit-hours are the tile's.
  rowsEndpoint(router, context, {
    path: '/api/hidden-units',
    relation: mart('agg_hidden_units_weekly'),
    lists: { location: 'location_id', sku: 'sku', week: 'week' },
    orderBy: ['week desc', 'hidden_unit_hours desc', 'location_id', 'sku'],
  });

  tableEndpoint(router, context, {
    path: '/api/cancellations',
    filters: {
      grain,
      location: oneOrMore.optional(),
      channel: oneOrMore.optional(),
      cancel_reason: oneOrMore.optional(),
      stock_cause: oneOrMore.optional(),
      ...range,
    },
    async query(f, { catalog }) {
      // A cancellation counts on the local day (or week) it happened: agg_cancellations_daily/_weekly.
      const daily = f.grain === 'day';
      const rollup = daily ? 'agg_cancellations_daily' : 'agg_cancellations_weekly';
      await catalog.requireMart(rollup);
      return {
        select: sql`
          select ${c(f.grain)}, channel, location_id, cancel_reason, stock_cause, lines, units, revenue
          from marts.${c(rollup)}
          ${where([
            inList(c('location_id'), f.location),
            inList(c('channel'), f.channel),
            inList(c('cancel_reason'), f.cancel_reason),
            inList(c('stock_cause'), f.stock_cause),
            ...(daily ? timeRange(c('day'), 'date', f, tz) : weekRange(c('week'), f)),
          ])}`,
        orderBy: orderBy(f.grain, 'location_id', 'channel', 'cancel_reason', 'stock_cause'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/ats-daily',
    filters: { location: oneOrMore.optional(), sku: oneOrMore.optional(), ...range },
    async query(f, { catalog }) {
      const filters = [inList(c('location_id'), f.location), ...timeRange(c('day'), 'date', f, tz)];
      // Every SKU of a location is agg_ats_daily's row; chosen SKUs are summed from their own rows.
      if (!f.sku) {
        await catalog.requireMart('agg_ats_daily');
        return {
          select: sql`select day, location_id, skus, ${sql.join(atsStates.map((column) => c(column)), ', ')} from marts.agg_ats_daily ${where(filters)}`,
          orderBy: orderBy('day', 'location_id'),
        };
      }
      await catalog.requireMart('fct_ats_daily');
      return {
        select: sql`
          select day, location_id, count(*) as skus, ${sql.join(atsStates.map((column) => sql`cast(sum(${c(column)}) as decimal(18, 4)) as ${c(column)}`), ', ')}
          from marts.fct_ats_daily
          ${where([...filters, inList(c('sku'), f.sku)])}
          group by all`,
        orderBy: orderBy('day', 'location_id'),
      };
    },
  });

  tableEndpoint(router, context, {
    path: '/api/freshness',
    // marts.fct_source_freshness keeps every bucket; the page wants each source's state now, and
    // `history=true` (with from/to) the whole record.
    filters: { source: oneOrMore.optional(), stale: flag.optional(), history: flag.optional(), from: instant.optional(), to: instant.optional() },
    async query(f, { catalog, config }) {
      await catalog.requireMart('fct_source_freshness');
      const current = f.history ? [] : [sql`is_latest`];
      return {
        select: sql`select * from marts.fct_source_freshness ${where([...current, inList(c('source'), f.source), equals(c('is_stale'), f.stale), ...timeRange(c('bucket_at'), 'timestamp', f, config.timezone)])}`,
        orderBy: orderBy('source', 'bucket_at'),
      };
    },
  });

  return router;
}
