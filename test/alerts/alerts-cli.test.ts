import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Database, sql } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { alertTestConfig } from './helpers/alert-config.ts';
import { createMarts, injectEastShopifyIncident, injectOversells, injectErpStale } from './helpers/mart-fixture.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stocklens.js');

/** The real CLI in a child process, asynchronously: the SMTP server lives in this process and must keep answering. */
function stocklens(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

// Each test runs the CLI several times as child processes: on a machine shared by many test runs one
// start can take ten seconds, so the file gets more than the default minute per test.
describe('stocklens alerts', { timeout: 180_000 }, () => {
  const tempDir = useTempDir('stocklens-alerts-cli-');
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  async function setUp(alerts: string) {
    const dir = tempDir();
    sink = await startSmtpSink();
    const config = alertTestConfig(dir, sink.port, alerts);
    const db = await Database.open(config.databaseFile);
    await createMarts(db);
    await injectEastShopifyIncident(db);
    await injectErpStale(db);
    db.closeSync();
    return { dir, config };
  }

  it('previews with --dry-run what would be sent to whom, and records nothing', async () => {
    const { dir, config } = await setUp('alerts: { receivers: [{ name: ops, to: [ops@example.com] }], default_receiver: ops }');
    const result = await stocklens(['alerts', '--dry-run'], dir);
    expect(result.stderr).toContain('not sent: mismatch-rate|location=WH-WEST|source=erp (inhibited by stale-source|source=erp)');
    expect(result.stdout).toMatch(/east-lead@example\.com\s+\[Stocklens\] WH-EAST: mismatch rate 12% on shopify \(3 SKUs oversell risk\)\s+first/);
    expect(result.stdout).toMatch(/ops@example\.com\s+\[Stocklens\] erp: data is 12\.0 h old/);
    expect(result.status).toBe(0);
    const db = await Database.open(config.databaseFile);
    expect(await db.rows(sql`select count(*) as n from alerts.alert_state`)).toEqual([{ n: 0 }]);
    expect(await db.rows(sql`select count(*) as n from alerts.outbox`)).toEqual([{ n: 0 }]);
    db.closeSync();
    expect(sink!.received).toHaveLength(0);
  });

  it('evaluates, waits out group_wait and delivers in one command; a second run sends nothing new', async () => {
    const { dir } = await setUp('alerts: { group_wait: 2s, receivers: [{ name: ops, to: [ops@example.com] }], default_receiver: ops }');
    const first = await stocklens(['alerts'], dir);
    expect(first.stderr).toContain('sent to east-lead@example.com: [Stocklens] WH-EAST: mismatch rate 12% on shopify (3 SKUs oversell risk)');
    expect(first.status).toBe(0);
    expect(sink!.received.map((mail) => mail.envelopeTo.join(',')).sort()).toEqual(['east-lead@example.com', 'ops@example.com']);
    const second = await stocklens(['alerts'], dir);
    expect(second.status).toBe(0);
    expect(second.stderr).not.toContain('sent to');
    expect(sink!.received).toHaveLength(2);
  });

  it('silences a location for a while, so its lead gets nothing while the others still do', async () => {
    const { dir } = await setUp('alerts: { group_wait: 1s, receivers: [{ name: ops, to: [ops@example.com] }], default_receiver: ops }');
    const silence = await stocklens(['alerts', 'silence', '--match', 'location=WH-EAST', '--for', '24h', '--comment', 'stocktake'], dir);
    expect(silence.status).toBe(0);
    expect(silence.stderr).toMatch(/silenced alerts matching location=WH-EAST until/);
    const list = await stocklens(['alerts', 'silence', '--list'], dir);
    expect(list.stdout).toContain(silence.stdout.trim());
    expect(list.stdout).toContain('stocktake');
    const round = await stocklens(['alerts'], dir);
    expect(round.status).toBe(0);
    // The ERP's staleness is not a location's: it still goes to ops.
    expect(sink!.received.map((mail) => mail.envelopeTo.join(','))).toEqual(['ops@example.com']);
    const refused = await stocklens(['alerts', 'silence', '--match', 'WH-EAST'], dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('--match WH-EAST: expected label=value');
  });

  it('backtests how often each rule would have fired', async () => {
    const { dir, config } = await setUp('');
    const db = await Database.open(config.databaseFile);
    await injectOversells(db);
    db.closeSync();
    const result = await stocklens(['alerts', 'backtest', '--days', '30', '--until', '2026-11-23T10:00:00Z'], dir);
    expect(result.status).toBe(0);
    const line = (rule: string) => result.stdout.split('\n').find((text) => text.startsWith(`${rule} `)) ?? '';
    expect(line('mismatch-rate')).toMatch(/mismatch_rate\s+30\s+1\s+2\s+2\s+location=WH-EAST\|source=shopify location=WH-WEST\|source=erp/);
    expect(line('oversell')).toMatch(/oversell\s+30\s+1\s+1\s+1\s+location=WH-EAST/);
    expect(line('stale-source')).toContain('current state only');
  });

  it('sends a test email to the given address', async () => {
    const { dir } = await setUp('');
    const result = await stocklens(['alerts', 'test-send', '--to', 'someone@example.com'], dir);
    expect(result.status).toBe(0);
    expect(sink!.received).toHaveLength(1);
    expect(sink!.received[0].parsed.subject).toBe('[Stocklens] Test email');
    expect(sink!.received[0].envelopeTo).toEqual(['someone@example.com']);
    expect(result.stdout.trim()).toBe(sink!.received[0].parsed.messageId);
  });

  it('upgrades to STARTTLS when the server offers it and logs in with the password from the environment', async () => {
    const dir = tempDir();
    sink = await startSmtpSink({ starttls: true, auth: { user: 'stocklens', password: 's3cret' } });
    writeFileSync(
      path.join(dir, 'stocklens.config.yaml'),
      `sources: [{ name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox }]\nsmtp: { host: localhost, port: ${sink.port}, user: stocklens, password: "\${SMTP_PASSWORD}", from: stocklens@example.com }\n`,
    );
    // The test server's certificate is its built-in self-signed one: trust it for this child only.
    const result = await stocklens(['alerts', 'test-send', '--to', 'someone@example.com'], dir, { SMTP_PASSWORD: 's3cret', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(result.status).toBe(0);
    expect(sink!.received).toHaveLength(1);
    expect(sink!.received[0]).toMatchObject({ secure: true, user: 'stocklens' });
    const wrong = await stocklens(['alerts', 'test-send', '--to', 'someone@example.com'], dir, { SMTP_PASSWORD: 'wrong', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/invalid username or password|Invalid login/i);
  });

  it('says so when another process (the server) holds the database', async () => {
    const { dir, config } = await setUp('');
    const db = await Database.open(config.databaseFile);
    try {
      const result = await stocklens(['alerts', '--dry-run'], dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('is held by another process (is `stocklens serve` running?');
    } finally {
      db.closeSync();
    }
  });

  it('goes through the running server, which holds the database: silences, a dry run and a round whose links name the port it really serves on', async () => {
    const { dir, config } = await setUp('alerts: { group_wait: 1s }');
    // No public_url: the links must name the address the server listens on.
    writeFileSync(config.file, readFileSync(config.file, 'utf8').replace(/^server:.*$/m, ''));
    const server: ChildProcess = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOCKLENS_LOG_LEVEL: 'warn' } });
    let serverErr = '';
    server.stderr!.on('data', (chunk: Buffer) => (serverErr += chunk.toString()));
    try {
      const stateFile = path.join(config.data_dir, 'server.json');
      for (let waited = 0; !existsSync(stateFile); waited += 100) {
        if (server.exitCode !== null || waited > 60_000) throw new Error(`serve did not start: ${serverErr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { url } = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string };

      const silence = await stocklens(['alerts', 'silence', '--match', 'location=WH-WEST', '--for', '1h', '--comment', 'stocktake'], dir);
      expect([silence.status, silence.stderr]).toEqual([0, expect.stringMatching(/^silenced alerts matching location=WH-WEST until/)]);
      const list = await stocklens(['alerts', 'silence', '--list'], dir);
      expect(list.stdout).toContain(silence.stdout.trim());

      const dryRun = await stocklens(['alerts', '--dry-run'], dir);
      expect(dryRun.status).toBe(0);
      expect(dryRun.stdout).toMatch(/east-lead@example\.com\s+\[Stocklens\] WH-EAST: mismatch rate 12% on shopify/);
      expect(dryRun.stdout).not.toContain('west-lead@example.com');

      const round = await stocklens(['alerts'], dir);
      expect(round.status).toBe(0);
      expect(round.stderr).toContain(`the server at ${url} evaluated the rules`);
      const [mail] = await sink!.waitFor(1);
      expect(mail.envelopeTo).toEqual(['east-lead@example.com']);
      expect(mail.parsed.text).toContain(`Dashboard: ${url}/#/warehouses?`);

      const expired = await stocklens(['alerts', 'silence', '--expire', silence.stdout.trim()], dir);
      expect([expired.status, expired.stderr.trim()]).toEqual([0, `silence ${silence.stdout.trim()} expired`]);
      const gone = await stocklens(['alerts', 'silence', '--expire', silence.stdout.trim()], dir);
      expect(gone.status).toBe(1);
      expect(gone.stderr).toContain(`no active silence ${silence.stdout.trim()}`);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  }, 180_000);
});
