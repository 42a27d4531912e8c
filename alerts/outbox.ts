import { createHash } from 'node:crypto';
import { causeMessage } from '../core/errors.ts';
import { backoffDelayMs } from '../core/backoff.ts';
import type { Config } from '../core/load-config.ts';
import { parseDurationMs } from '../core/duration.ts';
import { logger } from '../core/logger.ts';
import { sql, type Connection } from '../db/database.ts';
import type { RenderedEmail } from './email/render-alert-email.ts';
import { openMailDrop } from './mail-drop.ts';
import { composeMessage, messageIdFor } from './smtp-mailer.ts';

export interface OutboxEntry {
  idempotencyKey: string;
  kind: 'alert' | 'digest' | 'test';
  receiver: string | null;
  to: string[];
  email: RenderedEmail;
}

/**
 * Puts a rendered notification into the outbox, once: the idempotency key is its primary key, so
 * planning the same (group, state change) twice cannot queue two messages.
 */
export async function enqueue(config: Config, connection: Connection, entry: OutboxEntry, now: Date): Promise<boolean> {
  const exists = await connection.one(sql`select 1 as found from alerts.outbox where idempotency_key = ${entry.idempotencyKey}`);
  if (exists) return false;
  const hash = createHash('sha256').update(entry.idempotencyKey).digest('hex').slice(0, 32);
  const messageId = messageIdFor(config, entry.idempotencyKey, hash);
  const raw = await composeMessage(config, entry.email, { to: entry.to, messageId, date: now });
  await connection.run(sql`
    insert into alerts.outbox (idempotency_key, kind, receiver, recipients, subject, message_id, raw_message, status, attempts, created_at, next_attempt_at)
    values (${entry.idempotencyKey}, ${entry.kind}, ${entry.receiver}, ${JSON.stringify(entry.to)}, ${entry.email.subject}, ${messageId}, ${raw},
      'pending', 0, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)`);
  return true;
}

export interface DeliveryReport {
  sent: { key: string; subject: string; to: string[] }[];
  failed: { key: string; error: string; permanent: boolean }[];
  /** `sending` rows left by a process that died mid-send, put back in the queue. */
  recovered: { key: string; stage: string | null }[];
  pending: number;
}

/**
 * Recovers from a crash: a row still `sending` belongs to a process that died (rounds of one
 * process are serialised, so no live send holds it). If it died before the whole message was
 * handed to the server (stage `connecting`), the server cannot have accepted it and it is resent.
 * If it died after (stage `data_complete`), the server may have replied 250 in the instant
 * before the `sent` mark: that cannot be known, and we resend rather than risk losing an alert.
 * The message keeps its Message-ID (derived from the idempotency key), so that rare duplicate is
 * recognisable and mail systems that de-duplicate by Message-ID drop it.
 */
export async function recoverInterrupted(connection: Connection, now: Date): Promise<DeliveryReport['recovered']> {
  const rows = await connection.rows(sql`select idempotency_key, stage from alerts.outbox where status = 'sending' order by created_at`);
  for (const row of rows) {
    const uncertain = row.stage === 'data_complete';
    if (uncertain) logger.warn({ key: row.idempotency_key }, 'a send was interrupted after the message was transmitted; resending with the same Message-ID');
    await connection.run(sql`
      update alerts.outbox set status = 'pending', next_attempt_at = ${now.toISOString()}::timestamptz,
        last_error = ${uncertain ? 'interrupted after the message was transmitted: resent with the same Message-ID' : 'interrupted before the server accepted it: resent'}
      where idempotency_key = ${row.idempotency_key}`);
  }
  return rows.map((row) => ({ key: String(row.idempotency_key), stage: row.stage === null ? null : String(row.stage) }));
}

/**
 * Sends every due outbox row, oldest first: `sending` is committed before the SMTP transaction
 * and `sent` after the server's 250. A connection-level failure ends the round (the server is
 * down; the next rows would fail the same way) and schedules a retry with capped exponential
 * backoff; a permanent rejection (5xx) marks the row failed.
 */
export async function deliverOutbox(config: Config, connection: Connection, now: Date): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], failed: [], recovered: await recoverInterrupted(connection, now), pending: 0 };
  const due = await connection.rows(sql`
    select idempotency_key, recipients, subject, raw_message, attempts, strftime(created_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as created_iso from alerts.outbox
    where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz order by created_at, idempotency_key`);
  if (due.length > 0) {
    const drop = openMailDrop(config);
    try {
      for (const row of due) {
        const key = String(row.idempotency_key);
        const to = JSON.parse(String(row.recipients)) as string[];
        const attempts = Number(row.attempts) + 1;
        await connection.run(sql`
          update alerts.outbox set status = 'sending', stage = 'connecting', attempts = ${attempts}, sending_at = ${new Date().toISOString()}::timestamptz
          where idempotency_key = ${key}`);
        try {
          const info = await drop.send({
            key,
            createdAt: String(row.created_iso),
            from: config.smtp.from,
            to,
            raw: String(row.raw_message),
            beforeEnd: () => connection.run(sql`update alerts.outbox set stage = 'data_complete' where idempotency_key = ${key}`),
          });
          await connection.run(sql`
            update alerts.outbox set status = 'sent', stage = null, sent_at = ${new Date().toISOString()}::timestamptz, last_error = null, smtp_response = ${String(info.response ?? '')}
            where idempotency_key = ${key}`);
          report.sent.push({ key, subject: String(row.subject), to });
        } catch (error) {
          const permanent = isPermanent(error);
          const retryAt = new Date(now.getTime() + backoffMs(config, attempts));
          await connection.run(sql`
            update alerts.outbox set status = ${permanent ? 'failed' : 'pending'}, stage = null, last_error = ${causeMessage(error)},
              next_attempt_at = ${retryAt.toISOString()}::timestamptz
            where idempotency_key = ${key}`);
          report.failed.push({ key, error: causeMessage(error), permanent });
          logger.warn({ key, attempts, permanent, err: error }, permanent ? 'the SMTP server refused a notification' : 'SMTP delivery failed; will retry');
          if (!permanent) break;
        }
      }
    } finally {
      drop.close();
    }
  }
  report.pending = Number((await connection.one(sql`select count(*) as n from alerts.outbox where status = 'pending'`))?.n ?? 0);
  return report;
}

/** Retry delay after the n-th failed attempt: retry_initial doubling up to retry_max, with jitter. */
export function backoffMs(config: Config, attempts: number): number {
  return backoffDelayMs(attempts, { baseDelayMs: parseDurationMs(config.alerts.retry_initial)!, maxDelayMs: parseDurationMs(config.alerts.retry_max)! });
}

function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
