import type { AlertRuleConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { sql } from '../../db/database.ts';
import type { AlertCandidate } from '../alert.ts';
import { maxStoredRows } from '../alert.ts';
import { formatInstant } from '../email/html.ts';
import { candidateOf, groupBy, localDay, percent, plural, tableOf, type RuleContext } from './rule-context.ts';

type OversellRule = Extract<AlertRuleConfig, { kind: 'oversell' }>;
type StockCancellationsRule = Extract<AlertRuleConfig, { kind: 'stock_cancellations' }>;

const lineColumns = ['order_id', 'line_id', 'channel', 'placed_at', 'sku', 'quantity', 'location_id', 'status', 'cancel_reason', 'stock_cause', 'revenue'];

/** `oversell`: order lines placed within the window before now that fct_order_line calls oversold (sold, then not fulfilled for want of stock). */
export async function oversellRule(context: RuleContext<OversellRule>): Promise<AlertCandidate[]> {
  const { connection, rule, now, config } = context;
  const windowMs = parseDurationMs(rule.window)!;
  const from = new Date(now.getTime() - windowMs);
  const lines = await connection.rows(sql`
    select order_id, line_id, channel, placed_at, sku, quantity, location_id, status, cancel_reason, stock_cause, revenue
    from marts.fct_order_line
    where is_oversell and location_id is not null and placed_at > ${from.toISOString()}::timestamptz and placed_at <= ${now.toISOString()}::timestamptz
    order by location_id, placed_at, order_id, line_id`);
  const candidates: AlertCandidate[] = [];
  for (const [location, rows] of groupBy(lines, (row) => String(row.location_id))) {
    if (rows.length < rule.min_lines) continue;
    const channels = [...new Set(rows.map((row) => String(row.channel)))].sort();
    const units = unitsOf(rows);
    const bySku = [...groupBy(rows, (row) => String(row.sku))].map(([sku, skuRows]) => ({
      sku,
      lines: skuRows.length,
      units: unitsOf(skuRows),
      channels: [...new Set(skuRows.map((row) => String(row.channel)))].sort().join(', '),
      last: String(skuRows.at(-1)!.placed_at),
    }));
    bySku.sort((a, b) => b.units - a.units || a.sku.localeCompare(b.sku));
    candidates.push(
      candidateOf(rule, { location }, {
        title: `${location}: ${plural(rows.length, 'oversold order line')} in ${rule.window} (${channels.join(', ')})`,
        summary: `${plural(rows.length, 'order line')} (${plural(units, 'unit')}, ${plural(bySku.length, 'SKU')}) at ${location} were sold in the ${rule.window} to ${formatInstant(now.toISOString(), config.timezone)} and then not fulfilled for want of stock (cancelled for stock, made to wait for stock, or still open while the location's next count shows it short). Sales beyond a channel's allocation while the location had the units are not counted here.`,
        value: rows.length,
        top: { columns: ['sku', 'lines', 'units', 'channels', 'last order'], rows: bySku.slice(0, 10).map((row) => [row.sku, row.lines, row.units, row.channels, row.last]) },
        rows: tableOf(rows.slice(0, maxStoredRows), lineColumns),
        totalRows: rows.length,
        bars: { label: 'units sold without stock, per SKU', bars: bySku.slice(0, 10).map((row) => ({ name: row.sku, value: row.units, direction: 'over' as const })) },
        view: { page: 'cancellations', params: { location, from: localDay(from, config.timezone), to: localDay(now, config.timezone) } },
      }),
    );
  }
  return candidates;
}

/** `stock_cancellations`: the share of a location's order lines cancelled because of stock errors. */
export async function stockCancellationsRule(context: RuleContext<StockCancellationsRule>): Promise<AlertCandidate[]> {
  const { connection, rule, now, config } = context;
  const from = new Date(now.getTime() - parseDurationMs(rule.window)!);
  const window = sql`placed_at > ${from.toISOString()}::timestamptz and placed_at <= ${now.toISOString()}::timestamptz and location_id is not null`;
  const rates = await connection.rows(sql`
    select location_id, count(*)::double as lines,
      count(*) filter (where status = 'cancelled' and stock_cause in ('confirmed', 'inferred'))::double as cancelled
    from marts.fct_order_line where ${window}
    group by location_id order by location_id`);
  const candidates: AlertCandidate[] = [];
  for (const { location_id: location, lines, cancelled } of rates) {
    const share = Number(lines) > 0 ? Number(cancelled) / Number(lines) : 0;
    if (Number(cancelled) < rule.min_lines || share < rule.threshold) continue;
    const rows = await connection.rows(sql`
      select order_id, line_id, channel, placed_at, sku, quantity, location_id, status, cancel_reason, stock_cause, revenue
      from marts.fct_order_line
      where ${window} and location_id = ${location} and status = 'cancelled' and stock_cause in ('confirmed', 'inferred')
      order by placed_at, order_id, line_id limit ${maxStoredRows}`);
    const revenue = rows.reduce((total, row) => total + Number(row.revenue ?? 0), 0);
    candidates.push(
      candidateOf(rule, { location: String(location) }, {
        title: `${location}: ${percent(share)} of order lines cancelled for stock (${plural(Number(cancelled), 'line')} in ${rule.window})`,
        summary: `${cancelled} of ${lines} order lines at ${location} in the ${rule.window} to ${formatInstant(now.toISOString(), config.timezone)} were cancelled because of stock errors (threshold ${percent(rule.threshold)}), ${revenue.toFixed(2)} of revenue lost.`,
        value: share,
        top: {
          columns: ['order', 'sku', 'channel', 'quantity', 'reason', 'stock cause', 'revenue'],
          rows: rows.slice(0, 10).map((row) => [`${row.order_id}/${row.line_id}`, row.sku, row.channel, row.quantity, row.cancel_reason, row.stock_cause, row.revenue]),
        },
        rows: tableOf(rows, lineColumns),
        totalRows: Number(cancelled),
        bars: {
          label: 'order lines cancelled for stock, per SKU',
          bars: [...groupBy(rows, (row) => String(row.sku))].map(([sku, lines]) => ({ name: sku, value: lines.length })).sort((a, b) => b.value - a.value).slice(0, 10),
        },
        view: { page: 'cancellations', params: { location: String(location), from: localDay(from, config.timezone), to: localDay(now, config.timezone) } },
      }),
    );
  }
  return candidates;
}

/** The lines' quantities summed to the four places they are kept with (2.5 kg + 0.1 kg is 2.6, not 2.6000000000000001). */
function unitsOf(rows: readonly Record<string, unknown>[]): number {
  return Math.round(rows.reduce((total, row) => total + Number(row.quantity), 0) * 10_000) / 10_000;
}
