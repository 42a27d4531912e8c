import { Command } from 'commander';
import {
  activeSilences,
  addSilence,
  backtestAlerts,
  deliverDue,
  ensureAlertTables,
  evaluateAlerts,
  evaluationTime,
  expireSilence,
  previewAlerts,
  sendTestEmail,
  type AlertPreview,
  type BacktestRow,
  type EvaluationSummary,
  type Silence,
} from '../../alerts/index.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { StocklensError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable, say } from '../terminal.ts';
import { callServer, findServer, type ServerTarget } from './server-client.ts';

interface RoundOptions {
  dryRun?: boolean;
  at?: string;
}

const atHelp = 'evaluate as of this time: an ISO time, `latest` (the data\'s latest capture, for replayed data that ends in the past) or `now` (default)';

/**
 * `stocklens alerts …`. While a server runs it owns the database file (DuckDB allows one writer),
 * so every subcommand goes through its API, found as `ingest` and `build` find it; otherwise the
 * command opens the file itself.
 */
export function alertsCommand(): Command {
  const command = new Command('alerts')
    .description('evaluate the alert rules once and deliver what is due (waits out group_wait, so one command is one complete round)')
    .option('--dry-run', 'print what would be sent, and to whom, without sending or recording anything')
    .option('--at <time>', atHelp)
    .action(async (options: RoundOptions, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const server = await findServer(config);
      if (server) return void (await roundOnServer(server, options));
      const db = await openDatabase(config, { mustExist: true });
      const now = await evaluationTime(db, options.at);
      if (options.dryRun) printPreview(await previewAlerts(config, db, { now }));
      else await round(config, db, now, options.at !== undefined && options.at !== 'now');
    });

  command
    .command('test-send')
    .description('send a test email through the configured SMTP server (or write it to <data_dir>/outbox with smtp.deliver: files)')
    .requiredOption('--to <address>', 'recipient')
    .action(async (options: { to: string }, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const server = await findServer(config);
      const result = server
        ? ((await (await callServer(server, '/api/alerts/test-send', { method: 'POST', body: JSON.stringify({ to: options.to }) })).json()) as Awaited<ReturnType<typeof sendTestEmail>>)
        : await sendTestEmail(config, options.to);
      say(`sent a test email to ${options.to}: ${result.response}`);
      process.stdout.write(`${result.messageId}\n`);
    });

  command
    .command('backtest')
    .description('how often each rule would have fired over the last days')
    .option('--days <n>', 'days to replay', '30')
    .option('--until <time>', 'the end of the replay: an ISO time, `latest` or `now` (default: the data\'s latest capture)')
    .action(async (options: { days: string; until?: string }, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1) throw new StocklensError(`--days ${options.days}: expected a whole number of days, for example 30`);
      const server = await findServer(config);
      let rows: BacktestRow[];
      if (server) {
        const query = new URLSearchParams({ days: String(days), ...(options.until ? { until: options.until } : {}) });
        rows = ((await (await callServer(server, `/api/alerts/backtest?${query}`)).json()) as { rows: BacktestRow[] }).rows;
      } else {
        const db = await openDatabase(config, { mustExist: true });
        rows = await backtestAlerts(config, db, { days, now: options.until ? await evaluationTime(db, options.until) : undefined });
      }
      process.stdout.write(`${formatTable(['rule', 'kind', 'days', 'days firing', 'alert-days', 'episodes', 'entities', 'note'], rows.map((row) => [row.rule, row.kind, row.days, row.daysFiring, row.alertDays, row.episodes, row.entities.join(' ') || '-', row.note]))}\n`);
    });

  command
    .command('silence')
    .description('mute alerts whose labels match, for a while (`--match location=WH-EAST --for 24h`); --list shows active silences')
    .option('--match <label=value>', 'label to match (repeatable; all must match)', collect, [])
    .option('--for <duration>', 'how long, for example 2h or 1d', '24h')
    .option('--comment <text>', 'why, for whoever reads the silence list')
    .option('--list', 'list the silences in force')
    .option('--expire <id>', 'end a silence now')
    .action(async (options: { match: string[]; for: string; comment?: string; list?: boolean; expire?: string }, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      if (!options.list && !options.expire) {
        if (options.match.length === 0) throw new StocklensError('silence needs at least one --match label=value, for example --match location=WH-EAST');
        const durationMs = parseDurationMs(options.for);
        if (durationMs === undefined || durationMs <= 0) throw new StocklensError(`--for ${options.for}: not a duration (write 30m, 24h or 7d)`);
      }
      const matchers = Object.fromEntries(options.match.map(parseMatcher));
      const server = await findServer(config);
      const desk = server ? serverSilences(server) : await localSilences(config);
      if (options.list) {
        const silences = await desk.list();
        process.stdout.write(`${formatTable(['id', 'match', 'until', 'comment'], silences.map((silence) => [silence.id, formatMatchers(silence.matchers), silence.endsAt, silence.comment ?? '']))}\n`);
        return;
      }
      if (options.expire) {
        await desk.expire(options.expire);
        say(`silence ${options.expire} expired`);
        return;
      }
      const silence = await desk.add(matchers, options.for, options.comment);
      say(`silenced alerts matching ${formatMatchers(matchers)} until ${silence.endsAt} (id ${silence.id})`);
      process.stdout.write(`${silence.id}\n`);
    });
  return command;
}

interface SilenceDesk {
  list(): Promise<Silence[]>;
  add(matchers: Record<string, string>, duration: string, comment?: string): Promise<Silence>;
  expire(id: string): Promise<void>;
}

function serverSilences(server: ServerTarget): SilenceDesk {
  return {
    list: async () => ((await (await callServer(server, '/api/alerts')).json()) as { silences: Silence[] }).silences,
    add: async (match, duration, comment) =>
      ((await (await callServer(server, '/api/alerts/silences', { method: 'POST', body: JSON.stringify({ match, for: duration, comment }) })).json()) as { silence: Silence }).silence,
    expire: async (id) => void (await callServer(server, `/api/alerts/silences/${encodeURIComponent(id)}`, { method: 'DELETE' })),
  };
}

async function localSilences(config: Config): Promise<SilenceDesk> {
  const db = await openDatabase(config, { mustExist: true });
  const withTables = <T>(fn: (connection: Parameters<Parameters<Database['withConnection']>[0]>[0]) => Promise<T>) =>
    db.withConnection(async (connection) => {
      await ensureAlertTables(connection);
      return fn(connection);
    });
  return {
    list: () => withTables((connection) => activeSilences(config, connection, new Date())),
    add: (matchers, duration, comment) => {
      const now = new Date();
      return withTables((connection) => addSilence(connection, { matchers, startsAt: now, endsAt: new Date(now.getTime() + parseDurationMs(duration)!), createdBy: process.env.USER, comment }));
    },
    expire: async (id) => {
      if (!(await withTables((connection) => expireSilence(connection, id, new Date())))) throw new StocklensError(`no active silence ${id} (see \`stocklens alerts silence --list\`)`);
    },
  };
}

/** A round in the running server: it evaluates now and its delivery timer sends each group once group_wait is over. */
async function roundOnServer(server: ServerTarget, options: RoundOptions): Promise<void> {
  const response = await callServer(server, '/api/alerts/run', { method: 'POST', body: JSON.stringify({ at: options.at, dry_run: options.dryRun }) });
  const body = (await response.json()) as { preview?: AlertPreview; result?: EvaluationSummary };
  if (body.preview) return printPreview(body.preview);
  const evaluation = body.result!;
  for (const error of evaluation.errors) say(`rule ${error.rule} did not run: ${error.message}`);
  say(`the server at ${server.url} evaluated the rules as of ${evaluation.evaluatedAt}: ${summaryLine(evaluation)}; it delivers each group once its group_wait is over`);
  if (evaluation.errors.length > 0) process.exitCode = 1;
}

function summaryLine(evaluation: EvaluationSummary): string {
  return `${evaluation.firing.length} alerts firing (${evaluation.started.length} new, ${Object.keys(evaluation.suppressed).length} silenced or inhibited), ${evaluation.resolved.length} resolved`;
}

async function round(config: Config, db: Database, now: Date, fixedTime: boolean): Promise<void> {
  const evaluation = await evaluateAlerts(config, db, { now });
  for (const error of evaluation.errors) say(`rule ${error.rule} did not run: ${error.message}`);
  say(summaryLine(evaluation));
  const groupWaitMs = parseDurationMs(config.alerts.group_wait)!;
  const waitUntil = now.getTime() + groupWaitMs;
  let clock = now;
  let pending = 0;
  let failures = 0;
  for (;;) {
    const delivery = await deliverDue(config, db, { now: clock });
    for (const sent of delivery.sent) say(`sent to ${sent.to.join(', ')}: ${sent.subject}`);
    for (const failed of delivery.failed) say(`${failed.permanent ? 'refused' : 'not sent yet'} ${failed.key}: ${failed.error}`);
    failures += delivery.failed.length;
    pending = delivery.pending;
    // Wait out group_wait (only that: group_interval and repeat_interval belong to later rounds).
    const next = delivery.nextDueAt?.getTime();
    if (next === undefined || next > waitUntil) break;
    const sleepMs = fixedTime ? 0 : Math.max(0, next - Date.now());
    if (sleepMs > 0) say(`waiting ${Math.ceil(sleepMs / 1000)} s (group_wait) for alerts of this round to group…`);
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    clock = fixedTime ? new Date(next) : new Date();
  }
  if (pending > 0) say(`${pending} notifications wait in the outbox for the SMTP server (${config.smtp.host}:${config.smtp.port}); they are retried with backoff by the next round`);
  if (evaluation.errors.length > 0 || failures > 0) process.exitCode = 1;
}

function printPreview(preview: AlertPreview): void {
  for (const error of preview.evaluation.errors) say(`rule ${error.rule} did not run: ${error.message}`);
  for (const [key, reason] of Object.entries(preview.evaluation.suppressed)) say(`not sent: ${key} (${reason})`);
  const rows = preview.notifications.map((notification) => [notification.to.join(', '), notification.subject, notification.reason]);
  if (preview.digest) rows.push([preview.digest.to.join(', '), preview.digest.subject, 'digest']);
  if (rows.length === 0) say('nothing would be sent');
  else process.stdout.write(`${formatTable(['to', 'subject', 'why'], rows)}\n`);
}

function parseMatcher(text: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(text);
  if (!match) throw new StocklensError(`--match ${text}: expected label=value, for example location=WH-EAST`);
  return [match[1], match[2]];
}

function formatMatchers(matchers: Record<string, string>): string {
  return Object.entries(matchers)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
