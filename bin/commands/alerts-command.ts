import { Command } from 'commander';
import { activeSilences, addSilence, backtestAlerts, deliverDue, ensureAlertTables, evaluateAlerts, expireSilence, previewAlerts, sendTestEmail } from '../../alerts/index.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { ConfigError, StocklensError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable, say } from '../terminal.ts';

interface RoundOptions {
  dryRun?: boolean;
  at?: string;
}

export function alertsCommand(): Command {
  const command = new Command('alerts')
    .description('evaluate the alert rules once and deliver what is due (waits out group_wait, so one command is one complete round)')
    .option('--dry-run', 'print what would be sent, and to whom, without sending or recording anything')
    .option('--at <time>', 'evaluate as of this ISO time instead of now (replaying historic data)')
    .action(async (options: RoundOptions, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const db = await openDatabase(config, { mustExist: true });
      const now = parseAt(options.at);
      if (options.dryRun) await dryRun(config, db, now);
      else await round(config, db, now, options.at !== undefined);
    });

  command
    .command('test-send')
    .description('send a test email through the configured SMTP server')
    .requiredOption('--to <address>', 'recipient')
    .action(async (options: { to: string }, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const result = await sendTestEmail(config, options.to);
      say(`sent a test email to ${options.to} through ${config.smtp.host}:${config.smtp.port}: ${result.response}`);
      process.stdout.write(`${result.messageId}\n`);
    });

  command
    .command('backtest')
    .description('how often each rule would have fired over the last days')
    .option('--days <n>', 'days to replay', '30')
    .option('--until <time>', 'the end of the replay, as an ISO time (default now)')
    .action(async (options: { days: string; until?: string }, self: Command) => {
      const config = configFrom(self.optsWithGlobals<GlobalOptions>());
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1) throw new StocklensError(`--days ${options.days}: expected a whole number of days, for example 30`);
      const db = await openDatabase(config, { mustExist: true });
      const rows = await backtestAlerts(config, db, { days, now: parseAt(options.until) });
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
      const db = await openDatabase(config, { mustExist: true });
      const now = new Date();
      await db.withConnection(async (connection) => {
        await ensureAlertTables(connection);
        if (options.list) {
          const silences = await activeSilences(config, connection, now);
          process.stdout.write(`${formatTable(['id', 'match', 'until', 'comment'], silences.map((silence) => [silence.id, formatMatchers(silence.matchers), silence.endsAt, silence.comment ?? '']))}\n`);
          return;
        }
        if (options.expire) {
          if (!(await expireSilence(connection, options.expire, now))) throw new StocklensError(`no active silence ${options.expire} (see \`stocklens alerts silence --list\`)`);
          say(`silence ${options.expire} expired`);
          return;
        }
        if (options.match.length === 0) throw new StocklensError('silence needs at least one --match label=value, for example --match location=WH-EAST');
        const durationMs = parseDurationMs(options.for);
        if (durationMs === undefined || durationMs <= 0) throw new StocklensError(`--for ${options.for}: not a duration (write 30m, 24h or 7d)`);
        const matchers = Object.fromEntries(options.match.map(parseMatcher));
        const silence = await addSilence(connection, { matchers, startsAt: now, endsAt: new Date(now.getTime() + durationMs), createdBy: process.env.USER, comment: options.comment });
        say(`silenced alerts matching ${formatMatchers(matchers)} until ${silence.endsAt} (id ${silence.id})`);
        process.stdout.write(`${silence.id}\n`);
      });
    });
  return command;
}

async function round(config: Config, db: Database, now: Date, fixedTime: boolean): Promise<void> {
  const evaluation = await evaluateAlerts(config, db, { now });
  for (const error of evaluation.errors) say(`rule ${error.rule} did not run: ${error.message}`);
  say(`${evaluation.firing.length} alerts firing (${evaluation.started.length} new, ${Object.keys(evaluation.suppressed).length} silenced or inhibited), ${evaluation.resolved.length} resolved`);
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

async function dryRun(config: Config, db: Database, now: Date): Promise<void> {
  const preview = await previewAlerts(config, db, { now });
  for (const error of preview.evaluation.errors) say(`rule ${error.rule} did not run: ${error.message}`);
  for (const [key, reason] of Object.entries(preview.evaluation.suppressed)) say(`not sent: ${key} (${reason})`);
  const rows = preview.notifications.map((notification) => [notification.to.join(', '), notification.subject, notification.reason]);
  if (preview.digest) rows.push([preview.digest.to.join(', '), preview.digest.subject, 'digest']);
  if (rows.length === 0) say('nothing would be sent');
  else process.stdout.write(`${formatTable(['to', 'subject', 'why'], rows)}\n`);
}

/** The database, or a clear message when the serving process holds it (alerts run there after every build). */
function parseAt(at: string | undefined): Date {
  if (at === undefined) return new Date();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new ConfigError(`${at}: not an ISO time (for example 2026-11-23T07:00:00Z)`);
  return date;
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
