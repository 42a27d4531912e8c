import { readdirSync } from 'node:fs';
import path from 'node:path';
import { literal, type Database } from '../../db/database.ts';
import { ensureLandingSchema } from '../../ingest/ensure-schema.ts';

/**
 * Lands a simulator output folder straight into raw.* and ingest.batches with DuckDB bulk reads,
 * mapping each system's files the way its connector does (ingest/connectors): one ledger row per
 * file, malformed rows left out as quarantine would, and a full batch that shrank by more than half
 * held (the empty-extract guard). The accuracy tests need the same landed rows as `stocklens
 * ingest` in a fraction of its time, so the models are measured, not the landing.
 */
export async function landSimulated(db: Database, outDir: string, window: { after?: Date; until?: Date } = {}): Promise<void> {
  await ensureLandingSchema(db);
  // The files of a source matching `<prefix>*<suffix>`, captured in (after, until]: a benchmark
  // lands the history first, then one more hour.
  const inbox = (source: string, pattern: string) => {
    const [prefix, suffix] = pattern.split('*') as [string, string];
    const folder = path.join(outDir, 'inbox', source);
    const files = readdirSync(folder)
      .filter((name) => name.startsWith(prefix) && name.endsWith(suffix))
      .filter((name) => {
        const match = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name);
        const at = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!) : NaN;
        return (!window.after || at > window.after.getTime()) && (!window.until || at <= window.until.getTime());
      })
      .sort();
    return files.length === 0 ? undefined : literal(files.map((name) => path.join(folder, name)));
  };
  const stamp = `strptime(regexp_extract(filename, '(\\d{8}T\\d{6}Z)', 1), '%Y%m%dT%H%M%SZ')::timestamptz`;
  const mode = `case when filename like '%_delta.%' then 'delta' else 'full' end`;
  const batchId = `source || ':' || regexp_extract(filename, '[^/]+$')`;
  // The file name's time stands in for an absent captured_at only; a malformed one is quarantined.
  const capturedAt = `case when coalesce(captured_at, '') = '' then ${stamp} else try_cast(captured_at as timestamptz) end`;
  const int = (column: string) => `try_cast(${column} as integer)`;
  const known = `(select location_id from config_locations)`;
  // Every file gets its ledger row, an empty one too: it still says the source is alive.
  // The files are read once, through a view; the ledger counts what landed per batch.
  const ledger = (source: string, entity: string, glob: string, table: string) => `
    insert into ingest.batches (batch_id, source, entity, file, mode, captured_at, content_sha256, rows, status, started_at)
    select ${batchId}, source, '${entity}', filename, ${mode}, ${stamp}, ${batchId}, coalesce(n, 0), 'landed', now()
    from (select '${source}' as source, unnest(${glob}) as filename) g
    left join (select batch_id, count(*) as n from raw.${table} where source = '${source}' group by batch_id) i on i.batch_id = ${batchId};`;
  await db.withConnection(async (connection) => {
    await connection.run(`set TimeZone = 'UTC'`);
    const config = (await connection.rows<{ text: string }>(`select content as text from read_text(${literal(path.join(outDir, 'stocklens.config.yaml'))})`))[0]!.text;
    const locations = [...config.matchAll(/- id: (\S+)\n\s+name: (.+)\n/g)].map((match) => ({ id: match[1]!, name: match[2]!.trim() }));
    await connection.run(`create or replace temp table config_locations (location_id varchar, name varchar)`);
    for (const location of locations) await connection.run(`insert into config_locations values (${literal(location.id)}, ${literal(location.name)})`);
    const stock = async (source: string, pattern: string, select: string, where = 'true') => {
      const files = inbox(source, pattern);
      if (!files) return;
      await connection.run(`
        create or replace temp view input as
        select '${source}' as source, f.*, c.location_id as named_location
        from read_csv(${files}, header = true, all_varchar = true, filename = true, delim = ${pattern.endsWith('.tsv') ? "'\\t'" : "','"}, quote = '"') f
        left join config_locations c on c.name = ${source === 'shopify' ? 'f."Location"' : 'null'};
        insert into raw.stock_snapshot (batch_id, source, captured_at, location_id, sku, on_hand, committed, reserved_other, damaged, quality_control,
          safety_stock, in_transit, incoming, available_reported, quantity_semantics, channel)
        select * from (select ${batchId}, source, ${select} from input) t
        where t.location_id in ${known} and coalesce(t.sku, '') <> '' and t.on_hand is not null and t.captured_at is not null and ${where};
        ${ledger(source, 'stock', files, 'stock_snapshot')}`);
    };
    const canonical = (source: string) => `${capturedAt} as captured_at, location_id, sku, ${int('on_hand')} as on_hand,
      coalesce(${int('committed')}, 0), coalesce(${int('reserved_other')}, 0), coalesce(${int('damaged')}, 0), coalesce(${int('quality_control')}, 0),
      coalesce(${int('safety_stock')}, 0), coalesce(${int('in_transit')}, 0), coalesce(${int('incoming')}, 0), ${int('available_reported')},
      coalesce(quantity_semantics, 'physical'), ${source === 'amazon' ? `'amazon'` : 'null'}`;
    await stock('wms', 'stock_*.csv', canonical('wms'), 'on_hand >= 0');
    await stock('erp', 'stock_*.csv', `${capturedAt} as captured_at, location_id, sku, ${int('on_hand')} as on_hand, 0, 0, 0, 0, 0, 0, 0, null, 'physical', null`);
    // Amazon's merchant feed carries only the salable figure; on_hand is not part of it.
    await stock('amazon', 'stock_*.csv', `${capturedAt} as captured_at, location_id, sku, 0 as on_hand, 0, 0, 0, 0, 0, 0, 0, ${int('available_reported')} as available_reported, 'salable', 'amazon'`, 'available_reported is not null');
    await stock('shopify', 'inventory_export_*.csv', `${stamp} as captured_at, named_location as location_id, "SKU" as sku,
      ${int('"On hand"')} as on_hand, coalesce(${int('"Committed"')}, 0), 0, coalesce(${int('"Unavailable"')}, 0), 0, 0, 0, coalesce(${int('"Incoming"')}, 0),
      ${int('"Available"')} as available_reported, 'salable', 'web'`, 'available_reported is not null');
    await stock('amazon-fba', 'fba_inventory_*.tsv', `${stamp} as captured_at, 'FBA-US' as location_id, "sku" as sku, ${int('"afn-warehouse-quantity"')} as on_hand,
      coalesce(${int('"afn-reserved-quantity"')}, 0), 0, coalesce(${int('"afn-unsellable-quantity"')}, 0), 0, 0, 0,
      ${int('"afn-inbound-working-quantity"')} + ${int('"afn-inbound-shipped-quantity"')} + ${int('"afn-inbound-receiving-quantity"')},
      ${int('"afn-fulfillable-quantity"')}, 'physical', 'fba'`);
    const orders = inbox('oms', 'orders_*.csv');
    if (orders) {
      await connection.run(`
      create or replace temp view input as
      select 'oms' as source, * from read_csv(${orders}, header = true, all_varchar = true, filename = true);
      insert into raw.order_line (batch_id, source, captured_at, order_id, line_id, channel, placed_at, sku, quantity, unit_price, currency, location_id,
        status, cancelled_at, cancel_reason_raw, cancel_reason, shipped_at)
      select * from (
        select ${batchId}, source, ${stamp}, order_id, line_id, channel, try_cast(placed_at as timestamptz) as placed_at, sku, ${int('quantity')} as quantity,
          try_cast(unit_price as decimal(18, 4)), currency, location_id, status, try_cast(cancelled_at as timestamptz), cancel_reason_raw,
          nullif(cancel_reason, ''), try_cast(shipped_at as timestamptz)
        from input) t
      where t.placed_at is not null and t.quantity is not null and coalesce(t.sku, '') <> '' and t.location_id in ${known};
      ${ledger('oms', 'orders', orders, 'order_line')}`);
    }
    const events = inbox('wms', 'events_*.csv');
    if (events) {
      await connection.run(`
      create or replace temp view input as
      select 'wms' as source, * from read_csv(${events}, header = true, all_varchar = true, filename = true);
      insert into raw.inventory_event (batch_id, source, event_id, occurred_at, location_id, sku, delta, reason, reference)
      select ${batchId}, source, event_id, occurred_at::timestamptz, location_id, sku, delta::integer, reason, reference from input;
      ${ledger('wms', 'events', events, 'inventory_event')}`);
    }
    // The empty-extract guard (DESIGN §6): a full batch under half its predecessor is held.
    await connection.run(`
      update ingest.batches b set status = 'held'
      from (
        select batch_id, rows < 0.5 * lag(rows) over (partition by source order by captured_at) as shrank
        from ingest.batches where entity = 'stock' and mode = 'full' and status = 'landed'
      ) f
      where f.batch_id = b.batch_id and f.shrank`);
  });
}
