import { afterEach, describe, expect, it } from 'vitest';
import { deliverDue, evaluateAlerts } from '../../alerts/index.ts';
import { Database } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { expectGolden } from './helpers/golden.ts';
import { createMarts, holdBatch, injectEastShopifyIncident, injectErpStale, now } from './helpers/mart-fixture.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('alert emails', () => {
  const tempDir = useTempDir('stocklens-alerts-');
  let sink: SmtpSink | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    db?.closeSync();
    await sink?.close();
  });

  it('sends each lead one email naming what and where, with HTML, text, a PNG chart, a CSV of the rows and a dashboard link', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, `
alerts:
  receivers: [{ name: ops, to: [ops@example.com] }]
  default_receiver: ops
`);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectErpStale(db);
    await holdBatch(db);

    const evaluation = await evaluateAlerts(config, db, { now });
    expect(evaluation.errors).toEqual([]);
    expect(evaluation.suppressed).toEqual({ 'mismatch-rate|location=WH-WEST|source=erp': 'inhibited by stale-source|source=erp' });

    const early = await deliverDue(config, db, { now: later(10) });
    expect(early.planned).toEqual([]); // group_wait (30 s) is not over yet
    const round = await deliverDue(config, db, { now: later(31) });
    expect(round.failed).toEqual([]);
    // The ERP's staleness is system-wide (freshness is per source): it goes to ops with the held batch, not to a lead.
    expect(round.sent.map((entry) => entry.to.join(',')).sort()).toEqual(['east-lead@example.com', 'ops@example.com']);
    const mails = await sink.waitFor(2);
    const byRecipient = Object.fromEntries(mails.map((mail) => [mail.envelopeTo.join(','), mail]));
    expect(Object.keys(byRecipient).sort()).toEqual(['east-lead@example.com', 'ops@example.com']);

    const east = byRecipient['east-lead@example.com'].parsed;
    expect(east.subject).toBe('[Stocklens] WH-EAST: mismatch rate 12% on shopify (3 SKUs oversell risk)');
    expect(east.from?.text).toBe('stocklens@example.com');
    expect(east.messageId).toMatch(/^<[0-9a-f]{32}\.alert@example\.com>$/);
    expect(east.text).toContain('SKU-001');
    expect(east.text).toContain('https://stocklens.example.com/#/warehouses?from=2026-10-26&to=2026-11-23&location=WH-EAST&source=shopify');
    expect(east.html).toContain('href="https://stocklens.example.com/#/warehouses?from=2026-10-26&amp;to=2026-11-23&amp;location=WH-EAST&amp;source=shopify"');
    const chart = east.attachments.find((attachment) => attachment.contentType === 'image/png');
    expect(chart?.contentId).toBe('<chart@stocklens>');
    expect(chart?.content.subarray(1, 4).toString('latin1')).toBe('PNG');
    const csv = east.attachments.find((attachment) => attachment.filename?.endsWith('.csv'));
    expect(csv?.filename).toBe('mismatch-rate_location-WH-EAST_source-shopify.csv');
    const csvLines = csv!.content.toString('utf8').trim().split('\n');
    expect(csvLines[0]).toBe('bucket_at,location_id,sku,source,truth_source,truth_units,system_units,diff_units,direction,probable_cause');
    expect(csvLines).toHaveLength(25);
    expect(east.html).toContain('erp 7'); // the ERP's figure for SKU-001 beside Shopify's
    expectGolden('mismatch-alert.html', String(east.html));

    const ops = byRecipient['ops@example.com'].parsed;
    expect(ops.subject).toBe('[Stocklens] erp: full stock batch held (stock_20261123T060000Z_full.csv) and 1 more');
    expect(ops.text).toContain('stocklens ingest --accept erp-3f2a');
    expect(ops.text).toContain('erp: data is 12.0 h old (limit 2.0 h)');
    expect(ops.text).not.toContain('WH-WEST: mismatch rate');
  });
});
