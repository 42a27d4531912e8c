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
import { parseCsv } from './helpers/parse-csv.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink.ts';

interface Incident {
  id: string;
  kind: string;
  source: string;
  location: string;
  sku: string;
  start: number;
  end: number;
  units: number;
}

const pairKinds = new Set(['sync_lag', 'unsynced_adjustment', 'transfer_not_reflected', 'return_before_qc', 'double_deduction', 'reservation_ignored']);
const hourMs = 3_600_000;
const ownerOf = (source: string) => `${source}-owner@example.com`;

/**
 * The whole pipeline on the simulator's data: a small seeded world (three sites and an FBA centre,
 * two weeks) with injected incidents (one SKU's figure wrong on one system, outages of whole
 * systems), landed, built, and the alerts evaluated every hour of its two weeks against a real SMTP
 * server. truth/incidents.csv is the judge.
 */
describe('alerts on simulated incidents', () => {
  const tempDir = useTempDir('stocklens-alerts-sim-');
  let sink: SmtpSink;
  let db: Database;
  let config: Config;
  let incidents: Incident[];
  const evaluatedAt: number[] = [];

  beforeAll(async () => {
    const dir = tempDir();
    const summary = await generate({
      scale: { skus: 40, locations: 2, days: 14, linesPerHour: 20 },
      // Another world: STOCKLENS_SIM_SEED=12 npx vitest run test/alerts/simulated-incidents.test.ts
      seed: Number(process.env.STOCKLENS_SIM_SEED ?? 11),
      outDir: dir,
      breakpoints: { sync_lag: 0.2, marketplace_lag: 0, unsynced_adjustment: 0.3, transfer_not_reflected: 0.1, return_before_qc: 0.1, double_deduction: 0, reservation_ignored: 0.1, outage: 0.15, truncated_full: 0, malformed_rows: 0 },
    });
    sink = await startSmtpSink();
    const file = path.join(dir, 'stocklens.config.yaml');
    // The generated config (an owner for every system, a lead for every location, the default
    // rules), sending to this test's SMTP server instead of writing .eml files.
    const text = `${readFileSync(file, 'utf8').replace(/^smtp:.*(\n\s+.*)*/m, '')}
smtp: { host: 127.0.0.1, port: ${sink.port}, from: stocklens@example.com }
`;
    config = parseConfig(text, file);
    expect(config.sources.every((source) => source.owner_email === ownerOf(source.name))).toBe(true);
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
      .map(([id, kind, source, location, sku, start, end, units]) => ({ id, kind, source, location, sku, start: Date.parse(start), end: Date.parse(end), units: Number(units) }));
    const started = Date.parse(summary.start);
    for (let hour = 1; hour <= summary.days * 24; hour += 1) {
      const now = new Date(started + hour * hourMs + 600_000);
      evaluatedAt.push(now.getTime());
      await evaluateAlerts(config, db, { now });
      await deliverDue(config, db, { now: new Date(now.getTime() + 31_000) });
    }
  }, 900_000);

  afterAll(async () => {
    db?.closeSync();
    await sink?.close();
  });

  const leadLocation = (address: string) => config.locations.find((entry) => entry.lead_email === address)?.id;
  const leadMails = () => sink.received.filter((mail) => mail.envelopeTo.some((address) => leadLocation(address) !== undefined));
  /** Every CSV row of a mail as an object by column name. */
  const csvRows = (mail: ReceivedMail) =>
    mail.parsed.attachments
      .filter((attachment) => attachment.filename?.endsWith('.csv'))
      .flatMap((attachment) => {
        const [header, ...rows] = parseCsv(attachment.content.toString('utf8'));
        return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
      });
  /** The delay before a system's capture shows a change, and the rule's default age: two sync intervals, at least an hour. */
  const cadenceHours: Record<string, number> = { shopify: 0.25, amazon: 1, erp: 6 };
  const minAgeHours = (source: string) => Math.max(1, 2 * cadenceHours[source]);
  /** Incidents that outlived the rule's age by a full evaluation after the system could have shown them, by at least a unit. */
  const alertable = () =>
    incidents.filter((incident) => {
      if (!pairKinds.has(incident.kind) || Math.abs(incident.units) < 1) return false;
      const from = incident.start + (cadenceHours[incident.source] + minAgeHours(incident.source) + 1) * hourMs;
      return evaluatedAt.some((at) => at >= from && at < incident.end);
    });

  it('has stock incidents long enough to alert on, and outages', () => {
    expect(alertable().length).toBeGreaterThanOrEqual(6);
    expect(new Set(alertable().map((incident) => incident.location)).size).toBeGreaterThanOrEqual(2);
    expect(incidents.filter((incident) => incident.kind === 'outage').length).toBeGreaterThanOrEqual(2);
  });

  it("sends each incident's lead its open mismatch, with the injected cause, the evidence and an action (recall)", () => {
    const found: string[] = [];
    const missed: string[] = [];
    const wrongCause: string[] = [];
    for (const incident of alertable()) {
      const lead = config.locations.find((entry) => entry.id === incident.location)!.lead_email!;
      const rows = sink.received
        .filter((mail) => mail.envelopeTo.includes(lead))
        .flatMap(csvRows)
        .filter((row) => row.location_id === incident.location && row.sku === incident.sku && row.source === incident.source && row.probable_cause !== undefined);
      const label = `${incident.id} (${incident.kind} of ${incident.sku} on ${incident.source} at ${incident.location})`;
      if (rows.length === 0) {
        missed.push(label);
        continue;
      }
      found.push(label);
      if (!rows.some((row) => row.probable_cause === incident.kind)) wrongCause.push(`${label}: said ${[...new Set(rows.map((row) => row.probable_cause))].join(', ')}`);
      for (const row of rows.filter((entry) => entry.probable_cause === incident.kind)) {
        expect(row.evidence, label).not.toBe('');
        expect(row.action, label).not.toBe('');
      }
    }
    console.log(`open mismatches: ${found.length} of ${alertable().length} alertable incidents reached their lead, ${found.length - wrongCause.length} with the injected cause; missed: ${missed.join('; ') || 'none'}; wrong cause: ${wrongCause.join('; ') || 'none'}`);
    // A reservation_ignored incident only shows while orders hold units: it can break into episodes
    // each shorter than the rule's age, which the incident's span does not tell.
    expect(found.length / alertable().length, `missed: ${missed.join('; ')}`).toBeGreaterThanOrEqual(0.85);
    expect(wrongCause, 'the injected cause').toEqual([]);
  });

  it('lists in open-mismatch emails only figures an injected incident made wrong (precision)', () => {
    const rows = leadMails().flatMap((mail) => csvRows(mail).filter((row) => row.probable_cause !== undefined && row.since !== undefined));
    const episodes = new Map(rows.map((row) => [`${row.location_id}|${row.source}|${row.sku}|${row.since}`, row]));
    const explained = [...episodes.values()].filter((row) =>
      incidents.some((incident) => incident.location === row.location_id && incident.source === row.source && incident.sku === row.sku && Date.parse(row.since) >= incident.start - hourMs && Date.parse(row.since) <= incident.end),
    );
    console.log(`open-mismatch episodes in lead emails: ${episodes.size}, explained by an injected incident: ${explained.length}`);
    expect(episodes.size).toBeGreaterThan(0);
    expect(explained.length / episodes.size).toBeGreaterThanOrEqual(0.9);
  });

  it("never shows a lead another location's rows: every row of every lead email", () => {
    const mails = leadMails();
    expect(mails.length).toBeGreaterThan(0);
    let rows = 0;
    for (const mail of mails) {
      const location = leadLocation(mail.envelopeTo[0])!;
      expect(mail.envelopeTo, mail.parsed.subject).toHaveLength(1);
      for (const row of csvRows(mail)) {
        rows++;
        expect(row.location_id ?? row.location, `${mail.parsed.subject} to the lead of ${location}`).toBe(location);
      }
      // System-wide alerts (sync interval, stale feeds, held batches) list every location: owners only.
      expect(mail.parsed.subject, `${mail.parsed.subject} to the lead of ${location}`).not.toMatch(/faster sync|data is [\d.]+ h old|batch held/);
    }
    expect(rows).toBeGreaterThan(0);
  });

  it("tells a system's owner when its feed went stale, and alerts nobody on its stale copy's mismatches", () => {
    const outages = incidents.filter((entry) => entry.kind === 'outage');
    let told = 0;
    for (const outage of outages) {
      const maxStalenessMs = Number(/(\d+)h/.exec(config.sources.find((source) => source.name === outage.source)!.max_staleness)![1]) * hourMs;
      const stale = sink.received.filter((mail) => mail.envelopeTo.includes(ownerOf(outage.source)) && new RegExp(`${outage.source}: data is [\\d.]+ h old`).test(mail.parsed.subject ?? ''));
      if (evaluatedAt.some((at) => at > outage.start + maxStalenessMs && at < outage.end)) {
        expect(stale.length, `${outage.id}: ${outage.source} was stale for ${(outage.end - outage.start) / hourMs} h`).toBeGreaterThan(0);
        told++;
      }
      for (const mail of sink.received) {
        const phantom = csvRows(mail).filter((row) => row.source === outage.source && row.since !== undefined && Date.parse(row.since) >= outage.start && Date.parse(row.since) <= outage.start + maxStalenessMs);
        expect(phantom, `${mail.parsed.subject} lists mismatches of ${outage.source}'s stale copy (${outage.id})`).toEqual([]);
      }
    }
    expect(told).toBeGreaterThan(0);
    const systemMails = sink.received.filter((mail) => /faster sync|data is [\d.]+ h old|batch held/.test(mail.parsed.subject ?? ''));
    for (const mail of systemMails) expect(mail.envelopeTo.every((address) => address.endsWith('-owner@example.com')), mail.parsed.subject).toBe(true);
  });

  it('gives every email a chart, a CSV, a dashboard link and agreeing grammar', () => {
    for (const mail of sink.received) {
      const subject = mail.parsed.subject ?? '';
      expect(mail.parsed.attachments.some((attachment) => attachment.contentType === 'image/png'), subject).toBe(true);
      if (!subject.startsWith('[Stocklens] RESOLVED')) expect(mail.parsed.attachments.some((attachment) => attachment.filename?.endsWith('.csv')), subject).toBe(true);
      expect(mail.parsed.text, subject).toMatch(/Dashboard: http:\/\/localhost:3000\/#\//);
      expect(subject, subject).not.toMatch(/\b1 SKU need\b|\b1 SKUs\b|\b1 open mismatches\b/);
    }
  });
});
