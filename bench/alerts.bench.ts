import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deliverDue, evaluateAlerts } from '../alerts/index.ts';
import { composeMessage, createSmtpTransport, sendRaw } from '../alerts/smtp-mailer.ts';
import { parseConfig } from '../core/load-config.ts';
import { Database, sql } from '../db/database.ts';
import { startSmtpSink } from '../test/alerts/helpers/smtp-sink.ts';

/**
 * Alerts at a benchmark-like breadth: 20 locations × 3 sources, 28 days of history, an incident at
 * every location (2,000 mismatch rows each, the CSV and chart of every email). Figures: one
 * evaluation against the bare mart scans it makes, and outbox delivery (sending/sent marks around
 * each SMTP transaction) against sending the same messages with nodemailer alone.
 */
const locations = Array.from({ length: 20 }, (_, index) => `WH-${String(index + 1).padStart(2, '0')}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-alerts-bench-'));
const sink = await startSmtpSink();
const config = parseConfig(
  `
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms }
  - { name: shopify, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./shopify }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./erp }
  - { name: amazon, system: marketplace, connector: csv-drop, quiet_period: 0s, path: ./amazon }
locations:
${locations.map((id) => `  - { id: ${id}, name: ${id}, truth_source: wms, lead_email: ${id.toLowerCase()}@example.com }`).join('\n')}
smtp: { host: 127.0.0.1, port: ${sink.port} }
alerts: { rules: [{ name: mismatch-rate, kind: mismatch_rate }] }
`,
  path.join(dir, 'stocklens.config.yaml'),
);
const db = await Database.open(config.databaseFile);
const today = '2026-11-23';
const now = new Date('2026-11-23T23:30:00Z');
await db.run(`create schema marts;
  create table marts.agg_mismatch_rate (day date, location_id varchar, source varchar, compared bigint, mismatched bigint, mismatch_rate double);
  create table marts.fct_mismatch (bucket_at timestamptz, location_id varchar, sku varchar, source varchar, truth_source varchar, truth_units integer, system_units integer, diff_units integer, direction varchar, probable_cause varchar);`);
await db.run(sql`
  insert into marts.agg_mismatch_rate
  select d::date, l, s, 20000, 300 + (hash(d, l, s) % 100), 0
  from range(${today}::date - 28, ${today}::date, interval 1 day) t(d), (select 'WH-' || lpad(i::varchar, 2, '0') as l from range(1, 21) r(i)) u, (values ('shopify'), ('erp'), ('amazon')) v(s)`);
await db.run(sql`insert into marts.agg_mismatch_rate select ${today}::date, l, s, 20000, case when s = 'shopify' then 2400 else 350 end, 0 from (select 'WH-' || lpad(i::varchar, 2, '0') as l from range(1, 21) r(i)) u, (values ('shopify'), ('erp'), ('amazon')) v(s)`);
await db.run(sql`
  insert into marts.fct_mismatch
  select ${today}::timestamptz + to_hours(h), l, 'SKU-' || lpad(k::varchar, 5, '0'), 'shopify', 'wms', 50, 50 + (k % 7) - 3, (k % 7) - 3,
    case when k % 7 > 3 then 'over' else 'under' end, 'sync_lag'
  from (select 'WH-' || lpad(i::varchar, 2, '0') as l from range(1, 21) r(i)) u, range(0, 20) a(h), range(0, 100) b(k) where k % 7 <> 3`);

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
};

const [evaluation, evaluateMs] = await time(() => evaluateAlerts(config, db, { now }));
const [, scanMs] = await time(() =>
  db.rows(sql`select location_id, source, count(*) from marts.fct_mismatch where cast(bucket_at as date) = ${today}::date group by all`),
);
const [planned, planMs] = await time(() => deliverDue(config, db, { now: new Date(now.getTime() + 31_000) }));
const raws = await db.rows(sql`select recipients, raw_message from alerts.outbox order by idempotency_key`);
const transport = createSmtpTransport(config);
const [, directMs] = await time(async () => {
  for (const row of raws) await sendRaw(transport, { from: config.smtp.from, to: JSON.parse(String(row.recipients)) as string[], raw: String(row.raw_message) });
});
transport.close();
const [, composeMs] = await time(() => composeMessage(config, { subject: 'x', text: 'x', html: '<p>x</p>', attachments: [] }, { to: ['a@example.com'], messageId: '<x@example.com>', date: now }));
const bytes = raws.reduce((total, row) => total + String(row.raw_message).length, 0);

const lines = [
  `alerts firing: ${evaluation.firing.length} (of ${locations.length * 3} location × source pairs)`,
  `evaluate: ${evaluateMs.toFixed(0)} ms, ${(evaluateMs / scanMs).toFixed(1)}× one bare scan of today's mismatches (${scanMs.toFixed(0)} ms)`,
  `render + queue + send ${planned.sent.length} emails (${(bytes / planned.sent.length / 1024).toFixed(0)} KiB each, chart + CSV): ${planMs.toFixed(0)} ms, ${(planMs / planned.sent.length).toFixed(0)} ms per email`,
  `the same messages sent by nodemailer alone: ${directMs.toFixed(0)} ms; outbox round / direct send = ${(planMs / directMs).toFixed(1)}× (rendering included)`,
  `compose of a bare message: ${composeMs.toFixed(1)} ms`,
];
process.stdout.write(`${lines.join('\n')}\n`);
db.closeSync();
await sink.close();
rmSync(dir, { recursive: true, force: true });
