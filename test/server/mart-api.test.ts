import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objects, startContractServer, type ContractServer, type TableBody } from './contract-server.ts';
import { createBuiltMartTables } from '../helpers/built-mart-tables.ts';

let api: ContractServer;

beforeAll(async () => {
  api = await startContractServer();
});
afterAll(async () => api?.close());

describe('table endpoints over the contract marts', () => {
  it('answers weekly health as columns, rows and total, filtered by location and week', async () => {
    const body = await api.json<TableBody>('/api/weekly-health?location=ALL&from=2026-03-01');
    expect(body.columns.slice(0, 5)).toEqual(['week', 'location_id', 'grain', 'total_units', 'ats_units']);
    expect(body.total).toBe(1);
    expect(objects(body)).toEqual([expect.objectContaining({ week: '2026-03-02', location_id: 'ALL', ats_units: 12, lost_revenue: 4 })]);
    expect((await api.json<TableBody>('/api/weekly-health')).total).toBe(5);
  });

  it('rolls the daily mismatch rate up to Monday weeks', async () => {
    const days = await api.json<TableBody>('/api/mismatch-rate?location=WH-EAST&source=shopify');
    expect(days.columns).toEqual(['day', 'location_id', 'source', 'compared', 'mismatched', 'mismatch_rate']);
    expect(days.total).toBe(3);
    const weeks = objects(await api.json<TableBody>('/api/mismatch-rate?grain=week&location=WH-EAST&source=shopify'));
    expect(weeks).toEqual([
      { week: '2026-03-02', location_id: 'WH-EAST', source: 'shopify', compared: 96, mismatched: 12, mismatch_rate: 0.125 },
      { week: '2026-03-09', location_id: 'WH-EAST', source: 'shopify', compared: 10, mismatched: 5, mismatch_rate: 0.5 },
    ]);
    // A week with any day in the range is listed whole, as marts.agg_mismatch_rate_weekly holds it.
    const fromWednesday = objects(await api.json<TableBody>('/api/mismatch-rate?grain=week&location=WH-EAST&source=shopify&from=2026-03-04&to=2026-03-08'));
    expect(fromWednesday).toEqual([expect.objectContaining({ week: '2026-03-02', compared: 96, mismatched: 12 })]);
  });

  it('ranks warehouses by mismatch rate with oversells and stock cancellations in the range', async () => {
    const rows = objects(await api.json<TableBody>('/api/warehouses?from=2026-03-01&to=2026-03-08'));
    expect(rows).toEqual([
      { rank: 1, location_id: 'WH-EAST', location_name: 'East DC', compared: 104, mismatched: 20, mismatch_rate: 20 / 104, order_lines: 3, oversell_lines: 1, stock_cancellations: 1 },
      { rank: 2, location_id: 'WH-WEST', location_name: 'West DC', compared: 20, mismatched: 2, mismatch_rate: 0.1, order_lines: 0, oversell_lines: 0, stock_cancellations: 0 },
    ]);
    const later = objects(await api.json<TableBody>('/api/warehouses?from=2026-03-09&location=WH-WEST'));
    expect(later).toEqual([expect.objectContaining({ location_id: 'WH-WEST', stock_cancellations: 1, compared: 0, mismatch_rate: null })]);
    // One system's comparisons; the order lines belong to the location whichever system is chosen.
    const erp = objects(await api.json<TableBody>('/api/warehouses?from=2026-03-01&to=2026-03-08&source=erp'));
    expect(erp).toEqual([
      { rank: 1, location_id: 'WH-EAST', location_name: 'East DC', compared: 8, mismatched: 8, mismatch_rate: 1, order_lines: 3, oversell_lines: 1, stock_cancellations: 1 },
      { rank: 2, location_id: 'WH-WEST', location_name: 'West DC', compared: 0, mismatched: 0, mismatch_rate: null, order_lines: 0, oversell_lines: 0, stock_cancellations: 0 },
    ]);
  });

  it('filters mismatches by cause, source, sku, direction and time, newest first', async () => {
    const all = await api.json<TableBody>('/api/mismatch');
    expect(all.total).toBe(3);
    expect(objects(all)[0]).toMatchObject({ bucket_at: '2026-03-03T09:00:00.000Z', probable_cause: 'sync_lag' });
    const lagged = objects(await api.json<TableBody>('/api/mismatch?cause=sync_lag&cause=unknown&direction=under'));
    expect(lagged.map((row) => row.probable_cause)).toEqual(['sync_lag']);
    const onDay = await api.json<TableBody>('/api/mismatch?from=2026-03-02&to=2026-03-02&source=shopify&sku=SKU-1');
    expect(objects(onDay).map((row) => row.probable_cause)).toEqual(['reservation_ignored']);
    const byInstant = await api.json<TableBody>('/api/mismatch?from=2026-03-02T10:00:00Z&to=2026-03-02T10:00:00Z');
    expect(byInstant.total).toBe(2);
  });

  it('pages with limit and offset while total counts every matching row', async () => {
    const first = await api.json<TableBody>('/api/mismatch?limit=1');
    const second = await api.json<TableBody>('/api/mismatch?limit=1&offset=1');
    expect([first.total, second.total]).toEqual([3, 3]);
    expect(first.rows).toHaveLength(1);
    expect(first.rows[0]).not.toEqual(second.rows[0]);
    expect((await api.json<TableBody>('/api/mismatch?offset=3')).rows).toEqual([]);
  });

  it('shows a SKU timeline with the truth ATS and each mismatch cause beside every source', async () => {
    const rows = objects(await api.json<TableBody>('/api/sku-timeline?sku=SKU-1&location=WH-EAST'));
    expect(rows).toHaveLength(5);
    const shopifyAt10 = rows.find((row) => row.source === 'shopify' && row.bucket_at === '2026-03-02T10:00:00.000Z');
    expect(shopifyAt10).toMatchObject({ is_truth: false, available_reported: 9, truth_ats: 7, truth_on_hand: 10, diff_units: 2, probable_cause: 'reservation_ignored' });
    const wmsAt11 = rows.find((row) => row.source === 'wms' && row.bucket_at === '2026-03-02T11:00:00.000Z');
    expect(wmsAt11).toMatchObject({ is_truth: true, ats: 5, truth_ats: 5, probable_cause: null });
  });

  it("keeps the truth's figures on a timeline filtered to one source", async () => {
    const rows = objects(await api.json<TableBody>('/api/sku-timeline?sku=SKU-1&source=shopify'));
    expect(rows.map((row) => [row.bucket_at, row.source, row.truth_ats])).toEqual([
      ['2026-03-02T10:00:00.000Z', 'shopify', 7],
      ['2026-03-02T11:00:00.000Z', 'shopify', 5],
    ]);
  });

  it('needs a sku for the timeline and names it when missing', async () => {
    const response = await api.get('/api/sku-timeline?location=WH-EAST');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid sku: is required' });
  });

  it('lists sync priority by exposure and filters the flagged SKUs', async () => {
    const rows = objects(await api.json<TableBody>('/api/sync-priority'));
    expect(rows.map((row) => row.exposure)).toEqual([6, 2.5, 0.1]);
    const flagged = objects(await api.json<TableBody>('/api/sync-priority?needs_faster_sync=true'));
    expect(flagged).toEqual([expect.objectContaining({ source: 'shopify', sku: 'SKU-1', recommended_sync_minutes: 15 })]);
  });

  it('filters order lines by stock cause, channel and placement time', async () => {
    const confirmed = objects(await api.json<TableBody>('/api/order-lines?stock_cause=confirmed&channel=web'));
    expect(confirmed).toEqual([expect.objectContaining({ order_id: 'O-2', is_oversell: true, revenue: 10 })]);
    const inMarch2 = await api.json<TableBody>('/api/order-lines?from=2026-03-02&to=2026-03-02');
    expect(inMarch2.total).toBe(2);
  });

  it('counts cancelled lines per day or week they were cancelled, by channel, location, reason and stock cause', async () => {
    // The fixture's three cancelled lines, one line and one unit each, as both grains count them.
    const stockOut = { channel: 'web', location_id: 'WH-EAST', cancel_reason: 'stock_out', stock_cause: 'confirmed', lines: 1, units: 1, revenue: 10 };
    const customer = { channel: 'web', location_id: 'WH-EAST', cancel_reason: 'customer', stock_cause: 'none', lines: 1, units: 1, revenue: 5.5 };
    const other = { channel: 'web', location_id: 'WH-WEST', cancel_reason: 'other', stock_cause: 'inferred', lines: 1, units: 1, revenue: -4 };
    const days = objects(await api.json<TableBody>('/api/cancellations'));
    expect(days).toEqual([
      { day: '2026-03-02', ...stockOut },
      { day: '2026-03-03', ...customer },
      { day: '2026-03-09', ...other },
    ]);
    // O-2 has no cancel time: it counts on the day it was placed, 2026-03-02.
    const confirmedOrInferred = objects(await api.json<TableBody>('/api/cancellations?from=2026-03-02&to=2026-03-08&stock_cause=confirmed&stock_cause=inferred'));
    expect(confirmedOrInferred).toEqual([{ day: '2026-03-02', ...stockOut }]);
    const weeks = objects(await api.json<TableBody>('/api/cancellations?grain=week'));
    expect(weeks).toEqual([
      { week: '2026-03-02', ...customer },
      { week: '2026-03-02', ...stockOut },
      { week: '2026-03-09', ...other },
    ]);
    const eastWeeks = objects(await api.json<TableBody>('/api/cancellations?grain=week&location=WH-EAST'));
    expect(eastWeeks.map((row) => [row.week, row.lines])).toEqual([
      ['2026-03-02', 1],
      ['2026-03-02', 1],
    ]);
  });

  it('rolls ATS up per day and location', async () => {
    const rows = objects(await api.json<TableBody>('/api/ats-daily?from=2026-03-02'));
    expect(rows).toEqual([
      expect.objectContaining({ day: '2026-03-02', location_id: 'WH-EAST', skus: 2, total_units: 11, ats_units: 8, non_sellable_units: 3 }),
      expect.objectContaining({ day: '2026-03-02', location_id: 'WH-WEST', skus: 1, total_units: 4, ats_units: 4 }),
    ]);
  });

  it('answers ATS against total per location from the latest daily figures', async () => {
    const body = (await (await api.get('/api/ats')).json()) as { columns: string[]; rows: Record<string, unknown>[]; total: number };
    expect(body.total).toBe(2);
    expect(body.rows).toEqual([
      expect.objectContaining({ location_id: 'WH-EAST', location_name: 'East DC', total_units: 11, ats_units: 8 }),
      expect.objectContaining({ location_id: 'WH-WEST', total_units: 4, ats_units: 4 }),
    ]);
  });

  it("reports each source's freshness now, the stale ones, and the whole record on request", async () => {
    const stale = objects(await api.json<TableBody>('/api/freshness?stale=true'));
    expect(stale).toEqual([expect.objectContaining({ source: 'shopify', staleness_minutes: 240, max_staleness_minutes: 120, is_stale: true })]);
    expect((await api.json<TableBody>('/api/freshness')).total).toBe(3);
    expect((await api.json<TableBody>('/api/freshness?history=true&source=shopify')).total).toBe(2);
  });

  it('lists what there is to filter by', async () => {
    const filters = await api.json<Record<string, unknown>>('/api/filters');
    expect(filters).toMatchObject({ skus: 2, min_date: '2026-03-01', max_date: '2026-03-02', timezone: 'UTC' });
    expect((filters.locations as { location_id: string }[]).map((l) => l.location_id)).toEqual(['WH-EAST', 'WH-WEST']);
    expect((filters.channels as { channel: string }[]).map((c) => c.channel)).toEqual(['web']);
    expect((filters.sources as { source: string }[]).map((s) => s.source)).toEqual(['wms', 'shopify', 'erp']);
  });

  it('serves the ingest ledger, quarantine and run history', async () => {
    expect(objects(await api.json<TableBody>('/api/ingest/batches?status=held'))).toEqual([expect.objectContaining({ batch_id: 'b-2', error: 'rows fell by 66%' })]);
    expect(objects(await api.json<TableBody>('/api/ingest/quarantine?source=wms'))).toEqual([expect.objectContaining({ batch_id: 'b-1', line: 4, reason: 'not an integer: "x"', source: 'wms' })]);
    expect(objects(await api.json<TableBody>('/api/ingest/runs'))).toEqual([expect.objectContaining({ run_id: 'r-1', status: 'succeeded', rows: 4 })]);
    expect(objects(await api.json<TableBody>('/api/models/runs?node=fct_mismatch'))).toEqual([expect.objectContaining({ status: 'success', rows: 3 })]);
    expect(objects(await api.json<TableBody>('/api/models/tests?severity=error'))).toEqual([expect.objectContaining({ test: 'not_null(sku)', status: 'pass' })]);
  });

  it('lists where and when a system reported negative on-hand, the current ones on request, with their decimals', async () => {
    await api.db.withConnection((connection) => createBuiltMartTables(connection, ['fct_negative_on_hand']));
    await api.db.run(`
      insert into marts.fct_negative_on_hand (source, location_id, sku, on_hand, negative_since, negative_until, is_current) values
        ('erp', 'WH-WEST', 'FLOUR', -2.5, '2026-03-02 09:00:00+00', null, true),
        ('erp', 'WH-EAST', 'ROPE', -3, '2026-03-01 09:00:00+00', '2026-03-01 12:00:00+00', false)`);
    try {
      expect(objects(await api.json<TableBody>('/api/negative-on-hand'))).toEqual([
        { source: 'erp', location_id: 'WH-EAST', sku: 'ROPE', on_hand: -3, negative_since: '2026-03-01T09:00:00.000Z', negative_until: '2026-03-01T12:00:00.000Z', is_current: false },
        { source: 'erp', location_id: 'WH-WEST', sku: 'FLOUR', on_hand: -2.5, negative_since: '2026-03-02T09:00:00.000Z', negative_until: null, is_current: true },
      ]);
      expect(objects(await api.json<TableBody>('/api/negative-on-hand?current=true'))).toEqual([expect.objectContaining({ sku: 'FLOUR', on_hand: -2.5 })]);
      expect(objects(await api.json<TableBody>('/api/negative-on-hand?location=WH-EAST'))).toEqual([expect.objectContaining({ sku: 'ROPE' })]);
    } finally {
      await api.db.run('drop table marts.fct_negative_on_hand');
    }
  });

  it('serves the lineage manifest as nodes and edges', async () => {
    const lineage = await api.json<{ nodes: { name: string }[]; edges: unknown[] }>('/api/lineage');
    expect(lineage.nodes.map((node) => node.name)).toEqual(['stg_stock_snapshot', 'fct_mismatch']);
    expect(lineage.edges).toEqual([{ from: 'stg_stock_snapshot', to: 'fct_mismatch' }]);
  });
});

describe('filter validation', () => {
  it.each([
    ['/api/mismatch?limit=0', 'invalid limit: expected at least 1'],
    ['/api/mismatch?limit=100001', 'invalid limit: expected at most 100000'],
    ['/api/mismatch?limit=ten', 'invalid limit: expected a whole number'],
    ['/api/mismatch?offset=-1', 'invalid offset: expected 0 or more'],
    ['/api/mismatch?from=yesterday', 'invalid from: expected an ISO date (2026-03-02) or timestamp (2026-03-02T10:00:00Z)'],
    ['/api/mismatch?to=2026-02-31', 'invalid to: expected a real calendar date'],
    ['/api/mismatch?direction=sideways', 'invalid direction: expected one of "over"|"under"'],
    ['/api/mismatch-rate?grain=month', 'invalid grain: expected one of "day"|"week"'],
    ['/api/mismatch?format=xml', 'invalid format: expected one of "json"|"csv"|"arrow"'],
    ['/api/sync-priority?needs_faster_sync=maybe', 'invalid needs_faster_sync: expected one of "0"|"1"|"true"|"false"'],
    ['/api/mismatch?location=', 'invalid location: expected a non-empty value'],
  ])('refuses %s with a 400 naming the field', async (url, message) => {
    const response = await api.get(url);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
  });

  it('refuses an unknown filter and lists the ones the endpoint takes', async () => {
    const response = await api.get('/api/weekly-health?warehouse=WH-EAST');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('unknown filter warehouse: this endpoint takes location, from, to, format, limit, offset');
  });

  it("checks each request against its route's filters on its own: a refused one changes nothing for the next", async () => {
    const before = await api.json<TableBody>('/api/mismatch?source=erp&direction=over');
    expect((await api.get('/api/mismatch?source=erp&direction=sideways')).status).toBe(400);
    expect((await api.get('/api/mismatch?source=erp&cause=unknown&warehouse=WH-EAST')).status).toBe(400);
    expect(await api.json<TableBody>('/api/mismatch?direction=over&source=erp')).toEqual(before);
    expect((await api.json<TableBody>('/api/mismatch?source=erp&direction=under')).rows).not.toEqual(before.rows);
  });

  it('binds filter values as parameters, so quotes are data and not SQL', async () => {
    const body = await api.json<TableBody>(`/api/mismatch?sku=${encodeURIComponent("SKU-1' or '1'='1")}`);
    expect(body.total).toBe(0);
  });
});
