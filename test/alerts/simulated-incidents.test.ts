import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue, evaluateAlerts } from '../../alerts/index.ts';
import { parseConfig, type Config } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { generate } from '../../fixtures/generate.ts';
import { buildModels } from '../../models/runner/build.ts';
import { runIngest } from '../../ingest/run-ingest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink.ts';

interface Incident {
  id: string;
  kind: string;
  source: string;
  location: string;
  sku: string;
  start: number;
  end: number;
}

const pairKinds = new Set(['sync_lag', 'unsynced_adjustment', 'transfer_not_reflected', 'return_before_qc', 'double_deduction', 'reservation_ignored']);
const hourMs = 3_600_000;

/**
 * The whole pipeline on the simulator's data: a small seeded world with a few injected
 * incidents (stock drifts on one SKU, and outages of whole systems), landed, built, and the
 * alerts replayed every three hours over its two weeks against a real SMTP server.
 */
describe('alerts on simulated incidents', () => {
  const tempDir = useTempDir('stocklens-alerts-sim-');
  let sink: SmtpSink;
  let db: Database;
  let config: Config;
  let incidents: Incident[];
  let dir: string;

  beforeAll(async () => {
    dir = tempDir();
    const summary = await generate({
      scale: { skus: 40, locations: 2, days: 14, linesPerHour: 20 },
      seed: 11,
      outDir: dir,
      breakpoints: { sync_lag: 0.2, marketplace_lag: 0, unsynced_adjustment: 0.1, transfer_not_reflected: 0.1, return_before_qc: 0.1, double_deduction: 0, reservation_ignored: 0.1, outage: 0.15, truncated_full: 0, malformed_rows: 0 },
    });
    sink = await startSmtpSink();
    const file = path.join(dir, 'stocklens.config.yaml');
    // The generated config, with this test's SMTP server and a mismatch rule sensitive enough for a 40-SKU world.
    const text = `${readFileSync(file, 'utf8').replace(/^smtp:.*(\n\s+.*)*/m, '')}
smtp: { host: 127.0.0.1, port: ${sink.port}, from: stocklens@example.com }
alerts:
  rules:
    - { name: mismatch-rate, kind: mismatch_rate, mode: threshold, threshold: 0.001, min_compared: 20 }
    - { name: stale-source, kind: stale_source }
    - { name: held-batch, kind: held_batch }
`;
    config = parseConfig(text, file);
    db = await Database.open(config.databaseFile);
    // Through the real connectors and landing, exactly as `stocklens ingest` lands the files.
    await runIngest(config, db);
    const build = await buildModels(config, db);
    expect(build.ok).toBe(true);
    incidents = readFileSync(path.join(dir, 'truth/incidents.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map(([id, kind, source, location, sku, start, end]) => ({ id, kind, source, location, sku, start: Date.parse(start), end: Date.parse(end) }));
    const started = Date.parse(summary.start);
    for (let hour = 3; hour <= summary.days * 24; hour += 3) {
      const now = new Date(started + hour * hourMs + 600_000);
      await evaluateAlerts(config, db, { now });
      await deliverDue(config, db, { now: new Date(now.getTime() + 31_000) });
    }
  }, 600_000);

  afterAll(async () => {
    db?.closeSync();
    await sink?.close();
  });

  const leadOf = (location: string) => config.locations.find((entry) => entry.id === location)?.lead_email;
  const csvRows = (mail: ReceivedMail) =>
    mail.parsed.attachments
      .filter((attachment) => attachment.filename?.endsWith('.csv'))
      .flatMap((attachment) => attachment.content.toString('utf8').trim().split('\r\n').slice(1))
      .map((line) => line.split(','));

  it('has incidents of both kinds to look for', () => {
    expect(incidents.filter((incident) => pairKinds.has(incident.kind)).length).toBeGreaterThanOrEqual(4);
    expect(incidents.filter((incident) => incident.kind === 'outage').length).toBeGreaterThanOrEqual(2);
  });

  it("sends each stock incident's lead an alert naming its location, system and SKU", () => {
    for (const incident of incidents.filter((entry) => pairKinds.has(entry.kind))) {
      const named = sink.received.filter(
        (mail) =>
          mail.envelopeTo.includes(leadOf(incident.location)!) &&
          mail.parsed.subject?.includes(`${incident.location}: mismatch rate`) &&
          mail.parsed.subject.includes(`on ${incident.source}`) &&
          csvRows(mail).some((row) => row[2] === incident.sku && row[3] === incident.source),
      );
      expect(named.length, `${incident.id} (${incident.kind} of ${incident.sku} on ${incident.source} at ${incident.location})`).toBeGreaterThan(0);
    }
  });

  it('tells the leads a source went stale, and alerts nobody on the mismatches of its stale copy', () => {
    const staleAlerts = sink.received.filter((mail) => / data is [\d.]+ h old/.test(mail.parsed.subject ?? ''));
    expect(staleAlerts.length).toBeGreaterThan(0);
    for (const outage of incidents.filter((entry) => entry.kind === 'outage')) {
      const maxStalenessMs = Number(/(\d+)h/.exec(config.sources.find((source) => source.name === outage.source)!.max_staleness)![1]) * hourMs;
      for (const mail of sink.received) {
        const phantom = csvRows(mail).filter((row) => {
          const at = Date.parse(row[0]);
          return row[3] === outage.source && at >= outage.start && at <= outage.start + maxStalenessMs;
        });
        expect(phantom, `${mail.parsed.subject} lists mismatches of ${outage.source}'s stale copy (${outage.id})`).toEqual([]);
      }
    }
  });
});
