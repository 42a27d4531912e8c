import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverDue, emlFolder, evaluateAlerts } from '../../alerts/index.ts';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { createMarts, injectEastShopifyIncident, now } from './helpers/mart-fixture.ts';

describe('delivery to .eml files', () => {
  const tempDir = useTempDir('stocklens-alerts-eml-');
  let db: Database | undefined;
  afterEach(() => db?.closeSync());

  it('writes each notification once to <data_dir>/outbox/*.eml with smtp.deliver: files, no mail server needed', async () => {
    const dir = tempDir();
    const base = alertTestConfig(dir, 1);
    const config = parseConfig(readFileSync(base.file, 'utf8').replace(/^smtp: \{/m, 'smtp: { deliver: files,'), base.file);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await evaluateAlerts(config, db, { now });
    const round = await deliverDue(config, db, { now: new Date(now.getTime() + 31_000) });
    expect(round.failed).toEqual([]);
    expect(round.sent.map((entry) => entry.to)).toEqual([['east-lead@example.com']]);
    // A later round sends nothing again: the outbox row is sent, the file is not written twice.
    await deliverDue(config, db, { now: new Date(now.getTime() + 120_000) });
    // Past repeat_interval (12 h) with no evaluation since: nothing says it still fires, so no repeat.
    expect((await deliverDue(config, db, { now: new Date(now.getTime() + 13 * 3_600_000) })).planned).toEqual([]);
    const folder = emlFolder(config);
    expect(folder).toBe(path.join(dir, 'data', 'outbox'));
    const files = readdirSync(folder);
    expect(files).toEqual([expect.stringMatching(/^20261123T100031Z-alert_lead_WH-EAST_1\.eml$/)]);
    const mail = await simpleParser(readFileSync(path.join(folder, files[0])));
    expect(mail.subject).toBe('[Stocklens] WH-EAST: mismatch rate 12% on shopify (3 SKUs oversell risk)');
    expect(mail.attachments.map((attachment) => attachment.contentType).sort()).toEqual(['image/png', 'text/csv']);
  });

  it('repeats an unchanged group after repeat_interval once an evaluation saw it still firing', async () => {
    const dir = tempDir();
    const base = alertTestConfig(dir, 1);
    const config = parseConfig(readFileSync(base.file, 'utf8').replace(/^smtp: \{/m, 'smtp: { deliver: files,'), base.file);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await evaluateAlerts(config, db, { now });
    await deliverDue(config, db, { now: new Date(now.getTime() + 31_000) });
    const later = new Date(now.getTime() + 13 * 3_600_000);
    await evaluateAlerts(config, db, { now: later });
    expect((await deliverDue(config, db, { now: later })).planned.map((entry) => entry.reason)).toEqual(['repeat']);
  });
});
