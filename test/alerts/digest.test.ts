import { afterEach, describe, expect, it } from 'vitest';
import { deliverDue, evaluateAlerts } from '../../alerts/index.ts';
import { Database } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { expectGolden } from './helpers/golden.ts';
import { createMarts, injectEastShopifyIncident, injectErpStale, setQuietToday, writeWeeklyHealth } from './helpers/mart-fixture.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

describe('the weekly digest', () => {
  const tempDir = useTempDir('stocklens-digest-');
  let sink: SmtpSink | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    db?.closeSync();
    await sink?.close();
  });

  it('goes to the CEO on Monday 07:00 in the configured time zone, once per slot, with weekly health and what changed in the alerts', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, 'alerts: { digest: { recipients: [ceo@example.com] } }');
    // Europe/Berlin: Monday 07:00 local is 06:00 UTC in November.
    const berlin = { ...config, timezone: 'Europe/Berlin' };
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await writeWeeklyHealth(db);
    await injectErpStale(db, new Date('2026-11-15T12:00:00Z'));
    await evaluateAlerts(berlin, db, { now: new Date('2026-11-15T12:00:00Z') }); // an alert from before the digest's week

    expect((await deliverDue(berlin, db, { now: new Date('2026-11-23T05:59:00Z') })).digest).toBeNull();
    await injectEastShopifyIncident(db);
    await evaluateAlerts(berlin, db, { now: new Date('2026-11-23T05:59:30Z') });
    const monday = await deliverDue(berlin, db, { now: new Date('2026-11-23T06:00:10Z') });
    expect(monday.digest).toMatchObject({ to: ['ceo@example.com'], scheduledAt: '2026-11-23T06:00:00.000Z' });
    expect((await deliverDue(berlin, db, { now: new Date('2026-11-23T06:30:00Z') })).digest).toBeNull();

    const digests = (await sink.waitFor(1)).filter((mail) => mail.envelopeTo.includes('ceo@example.com'));
    expect(digests).toHaveLength(1);
    const mail = digests[0].parsed;
    expect(mail.subject).toBe('[Stocklens] Weekly digest, week of 2026-11-16: ATS 80%, mismatch rate 2.4%, 12 oversells, 5 stock cancellations');
    expect(mail.text).toContain('New since the last digest (1):\n- WH-EAST: mismatch rate 12% on shopify (3 SKUs oversell risk) (firing since 2026-11-23 06:59 CET)\n');
    expect(mail.text).toContain('Still open (1):\n- erp: data is 12.0 h old (limit 2.0 h) (firing since 2026-11-15 13:00 CET)\n');
    expect(mail.attachments.map((attachment) => attachment.contentType)).toEqual(['image/png']);
    // Which warehouse created the most errors, and orders delayed or cancelled by stock, week over week.
    expect(mail.text).toContain('- Most errors: East DC (WH-EAST), 56 mismatched comparisons (50% of all); the week before, East DC (WH-EAST) with 54.\n');
    expect(mail.text).toContain('- Orders hit by stock: 8 order lines delayed or cancelled (5 cancelled, 3 delayed), against 7 the week before (+1).\n');
    expectGolden('weekly-digest.html', String(mail.html));

    // A week later: the incident is over and the ERP fresh again, so both show as resolved since the last digest.
    await setQuietToday(db);
    await evaluateAlerts(berlin, db, { now: new Date('2026-11-25T12:00:00Z') });
    const next = await deliverDue(berlin, db, { now: new Date('2026-11-30T06:00:05Z') });
    expect(next.digest?.scheduledAt).toBe('2026-11-30T06:00:00.000Z');
    const second = (await sink.waitFor(sink.received.length)).filter((entry) => entry.envelopeTo.includes('ceo@example.com'))[1].parsed;
    expect(second.text).toContain(
      'Resolved (2):\n- WH-EAST: mismatch rate 12% on shopify (3 SKUs oversell risk) (resolved 2026-11-25 13:00 CET)\n- erp: data is 12.0 h old (limit 2.0 h) (resolved 2026-11-25 13:00 CET)\n',
    );
  });

  it('skips a slot missed by more than a day instead of sending it late', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, 'alerts: { digest: { recipients: [ceo@example.com], schedule: "0 7 * * 1" } }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    expect((await deliverDue(config, db, { now: new Date('2026-11-25T09:00:00Z') })).digest).toBeNull();
  });

  it("sends an opted-in lead a daily digest of their location: what is open, what cleared, the week against the one before", async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, 'alerts: { lead_digest: { locations: [WH-EAST] } }');
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectErpStale(db);
    await evaluateAlerts(config, db, { now: new Date('2026-11-23T10:00:00Z') });
    await deliverDue(config, db, { now: new Date('2026-11-23T10:00:31Z') });
    const before = sink.received.length;
    const morning = await deliverDue(config, db, { now: new Date('2026-11-24T07:00:05Z') });
    expect(morning.leadDigests.map((digest) => digest.to)).toEqual([['east-lead@example.com']]);
    expect((await deliverDue(config, db, { now: new Date('2026-11-24T07:30:00Z') })).leadDigests).toEqual([]);
    const mail = (await sink.waitFor(before + 1))[before].parsed;
    expect(mail.subject).toBe('[Stocklens] WH-EAST daily: 1 open exception, 0 cleared, mismatch rate 2.7%');
    expect(mail.text).toContain('Mismatch rate, last 7 days: 2.7% (+0.7% on the 7 days before).');
    expect(mail.text).toContain('Order lines cancelled for stock, last 7 days: 0 (+0 on the 7 days before).');
    expect(mail.text).toContain('WH-EAST: mismatch rate 12% on shopify');
    expect(mail.text).not.toContain('WH-WEST');
    expect(mail.attachments.map((attachment) => attachment.contentType).sort()).toEqual(['image/png', 'text/csv']);
    expect(() => alertTestConfig(dir, sink!.port, 'alerts: { lead_digest: { locations: [WH-NORTH] } }')).toThrow(/alerts\.lead_digest\.locations\[0\]: "WH-NORTH" is not a location with a lead_email/);
  });
});
