import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverDue, evaluateAlerts } from '../../alerts/index.ts';
import { Database, sql } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { createMarts, injectEastShopifyIncident, injectErpStale, holdBatch, now, setQuietToday } from './helpers/mart-fixture.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/deliver-once.ts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const messageIds = (sink: SmtpSink) => sink.received.map((mail) => mail.parsed.messageId);

describe('alert delivery', () => {
  const tempDir = useTempDir('stocklens-alerts-');
  let sink: SmtpSink | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    db?.closeSync();
    db = undefined;
    await sink?.close();
    sink = undefined;
  });

  it('queues notifications while the SMTP server is down and delivers each exactly once when it returns', async () => {
    const dir = tempDir();
    const port = await freePort();
    const config = alertTestConfig(dir, port, 'alerts: { receivers: [{ name: ops, to: [ops@example.com] }], default_receiver: ops }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectErpStale(db);
    await holdBatch(db);
    await evaluateAlerts(config, db, { now });

    const down = await deliverDue(config, db, { now: at(31) });
    expect(down.planned).toHaveLength(2);
    expect(down.sent).toEqual([]);
    expect(down.failed[0]).toMatchObject({ permanent: false, error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(down.pending).toBe(2);
    const stillDown = await deliverDue(config, db, { now: at(45) });
    expect(stillDown.sent).toEqual([]);
    expect(stillDown.pending).toBe(2);
    const retries = await db.rows(sql`select idempotency_key, attempts, next_attempt_at from alerts.outbox order by idempotency_key`);
    expect(retries.every((row) => Number(row.attempts) <= 2)).toBe(true);

    sink = await startSmtpSink({ port });
    const back = await deliverDue(config, db, { now: at(31 + 120) });
    expect(back.sent).toHaveLength(2);
    for (const second of [200, 400, 4000]) expect((await deliverDue(config, db, { now: at(second) })).sent).toEqual([]);
    await sink.waitFor(2);
    expect(sink.received.map((mail) => mail.envelopeTo.join(',')).sort()).toEqual(['east-lead@example.com', 'ops@example.com']);
    expect(new Set(messageIds(sink)).size).toBe(2);
    const outbox = await db.rows(sql`select status, count(*) as n from alerts.outbox group by status`);
    expect(outbox).toEqual([{ status: 'sent', n: 2 }]);
  });

  it('backs off retries exponentially up to retry_max', async () => {
    const dir = tempDir();
    const config = alertTestConfig(dir, await freePort(), 'alerts: { retry_initial: 30s, retry_max: 2m }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await evaluateAlerts(config, db, { now });
    const delays: number[] = [];
    let clock = at(31);
    for (let attempt = 0; attempt < 5; attempt++) {
      await deliverDue(config, db, { now: clock });
      const row = await db.one(sql`select next_attempt_at from alerts.outbox`);
      const next = new Date(String(row!.next_attempt_at));
      delays.push((next.getTime() - clock.getTime()) / 1000);
      clock = next;
    }
    // Doubling from 30 s up to 2 min, each with jitter: between half the ceiling and the ceiling.
    const ceilings = [30, 60, 120, 120, 120];
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[attempt]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[attempt]!);
    });
  });

  it('loses nothing and duplicates nothing when the process is killed mid-send and restarted', async () => {
    const dir = tempDir();
    let holding = true;
    let heldData = 0;
    sink = await startSmtpSink({
      holdData: () => {
        if (holding) heldData++;
        return holding;
      },
    });
    const config = alertTestConfig(dir, sink.port, 'alerts: { receivers: [{ name: ops, to: [ops@example.com] }], default_receiver: ops }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectErpStale(db);
    await holdBatch(db);
    await evaluateAlerts(config, db, { now });
    db.closeSync();
    db = undefined;

    // First run: the server reads the first message and never answers; the process is killed while it waits.
    const first = spawn(process.execPath, ['--import', 'tsx', child, config.file, at(31).toISOString()], { stdio: 'pipe' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
    await expect.poll(() => heldData, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(sink.received).toHaveLength(0);

    holding = false;
    const second = spawn(process.execPath, ['--import', 'tsx', child, config.file, at(32).toISOString()], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise((resolve) => second.on('exit', resolve))).toBe(0);
    const report = JSON.parse(output) as { sent: string[]; recovered: { key: string; stage: string }[] };
    expect(report.recovered).toHaveLength(1);
    expect(report.sent).toHaveLength(2);
    expect(sink.received).toHaveLength(2);
    expect(new Set(messageIds(sink)).size).toBe(2);

    db = await Database.open(config.databaseFile);
    const outbox = await db.rows(sql`select status, attempts from alerts.outbox order by idempotency_key`);
    expect(outbox.map((row) => row.status)).toEqual(['sent', 'sent']);
    expect(outbox.map((row) => Number(row.attempts)).sort()).toEqual([1, 2]);
  });

  it('does not storm when a metric flaps: group_interval spaces changes and an unchanged group waits for repeat_interval', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, 'alerts: { group_wait: 30s, group_interval: 5m, repeat_interval: 4h, keep_firing_for: 10m }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    // The incident flaps every minute for an hour; evaluation and delivery run every minute.
    const sentAt: number[] = [];
    for (let minute = 0; minute < 60; minute++) {
      if (minute % 2 === 0) await injectEastShopifyIncident(db);
      else await setQuietToday(db);
      await evaluateAlerts(config, db, { now: at(minute * 60) });
      const round = await deliverDue(config, db, { now: at(minute * 60 + 31) });
      for (const _ of round.sent) sentAt.push(minute);
    }
    expect(sentAt).toEqual([0]); // one episode, announced once
    // After repeat_interval the still-flapping alert is re-sent once, not once per flap.
    await injectEastShopifyIncident(db);
    await evaluateAlerts(config, db, { now: at(4 * 3600 + 60) });
    expect((await deliverDue(config, db, { now: at(4 * 3600 + 61) })).sent).toHaveLength(1);
    expect((await deliverDue(config, db, { now: at(4 * 3600 + 120) })).sent).toHaveLength(0);
  });

  it('sends changes of a group no more often than group_interval, and a resolved notice', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, 'alerts: { group_wait: 30s, group_interval: 5m, keep_firing_for: 0s }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    const rounds: { minute: number; subjects: string[] }[] = [];
    // A new alert joins the east lead's group every minute (each flap without keep_firing_for is a change).
    for (let minute = 0; minute < 30; minute++) {
      if (minute % 2 === 0) await injectEastShopifyIncident(db);
      else await setQuietToday(db);
      await evaluateAlerts(config, db, { now: at(minute * 60) });
      const round = await deliverDue(config, db, { now: at(minute * 60 + 31) });
      if (round.sent.length > 0) rounds.push({ minute, subjects: round.sent.map((entry) => entry.subject) });
    }
    const minutes = rounds.map((round) => round.minute);
    for (let index = 1; index < minutes.length; index++) expect(minutes[index] - minutes[index - 1]).toBeGreaterThanOrEqual(5);
    expect(minutes.length).toBeLessThanOrEqual(7);
    expect(rounds.some((round) => round.subjects.some((subject) => subject.startsWith('[Stocklens] RESOLVED WH-EAST: mismatch rate')))).toBe(true);
  });
});
