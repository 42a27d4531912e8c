import { DataType, Precision } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractServer, type ContractServer } from './contract-server.ts';

let api: ContractServer;

beforeAll(async () => {
  api = await startContractServer({ without: ['rpt_sync_priority'] });
});
afterAll(async () => api?.close());

describe('CSV and Arrow answers', () => {
  it('writes CSV with a header, quoting, and formula cells neutralised but negative numbers kept', async () => {
    const response = await api.get('/api/order-lines?format=csv&location=WH-WEST');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('x-stocklens-total')).toBe('1');
    const [header, line, end] = (await response.text()).split('\n');
    expect(header).toBe(
      'order_id,line_id,channel,placed_at,sku,quantity,unit_price,currency,location_id,status,first_status,cancelled_at,cancel_reason_raw,cancel_reason,' +
        'shipped_at,stock_cause,is_oversell,is_allocation_breach,is_stock_delayed,delay_hours,revenue,truth_captured_at,location_ats_at_order,' +
        'channel_ats_at_order,channel_available_reported,next_truth_captured_at,last_captured_at',
    );
    expect(line).toBe(`O-4,1,web,2026-03-09T12:00:00.000Z,"'=HYPERLINK(""http://evil.example"")",1,,,WH-WEST,cancelled,,,,other,,inferred,false,,true,30,-4,,,,,,`);
    expect(end).toBe('');
  });

  it('encodes Arrow IPC with typed columns: decimals, doubles, strings, timestamps, booleans and nulls', async () => {
    const table = await api.arrow('/api/order-lines?format=arrow');
    expect(table.numRows).toBe(4);
    const types = Object.fromEntries(table.schema.fields.map((field) => [field.name, field.type]));
    // Order quantities are DECIMAL(18,4) (weighed goods sell in fractions): Float64, as every DECIMAL.
    expect(DataType.isFloat(types.quantity)).toBe(true);
    expect(DataType.isFloat(types.revenue)).toBe(true);
    expect(DataType.isFloat(types.delay_hours)).toBe(true);
    expect(DataType.isUtf8(types.sku)).toBe(true);
    expect(DataType.isBool(types.is_oversell)).toBe(true);
    expect(DataType.isTimestamp(types.placed_at) && types.placed_at.timezone).toBe('UTC');
    const rows = table.toArray().map((row) => row.toJSON());
    expect(rows[0]).toMatchObject({ order_id: 'O-4', quantity: 1, revenue: -4, delay_hours: 30, is_stock_delayed: true, placed_at: Date.parse('2026-03-09T12:00:00Z') });
    expect(rows[3]).toMatchObject({ order_id: 'O-1', cancel_reason: null, delay_hours: null, revenue: 20 });
  });

  it('encodes dates as Arrow days, BIGINT counts as Int64 and DECIMAL units as Float64', async () => {
    const table = await api.arrow('/api/ats-daily?format=arrow');
    const types = Object.fromEntries(table.schema.fields.map((field) => [field.name, field.type]));
    expect(DataType.isDate(types.day)).toBe(true);
    expect(DataType.isInt(types.skus) && types.skus.bitWidth).toBe(64);
    expect(DataType.isFloat(types.total_units) && types.total_units.precision).toBe(Precision.DOUBLE);
    const first = table.get(0)!.toJSON();
    expect(new Date(first.day as number).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(first.skus).toBe(1n);
    expect(first.total_units).toBe(12);
  });

  it('pages Arrow and CSV answers like JSON ones', async () => {
    const table = await api.arrow('/api/mismatch?format=arrow&limit=2&offset=1');
    expect(table.numRows).toBe(2);
    const csv = await (await api.get('/api/mismatch?format=csv&limit=1')).text();
    expect(csv.trim().split('\n')).toHaveLength(2);
  });

  it('answers an empty result with the header only', async () => {
    expect(await (await api.get('/api/mismatch?format=csv&sku=none')).text()).toBe(
      'bucket_at,location_id,sku,source,truth_source,measure,channel,truth_units,system_units,diff_units,direction,probable_cause,mismatch_since,day,week,refreshed_at\n',
    );
    const table = await api.arrow('/api/mismatch?format=arrow&sku=none');
    expect([table.numRows, table.schema.fields.length]).toEqual([0, 16]);
  });
});

describe('marts that are not built yet', () => {
  it('answers 503 naming the mart and the command, in every format', async () => {
    for (const format of ['json', 'csv', 'arrow']) {
      const response = await api.get(`/api/sync-priority?format=${format}`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'marts.rpt_sync_priority is not built yet: run stocklens build' });
    }
  });
});
