import { randomUUID } from 'node:crypto';
import type { Config } from '../core/load-config.ts';
import { sql, type Connection } from '../db/database.ts';
import { labelsMatch } from './routing.ts';

export interface Silence {
  id: string;
  matchers: Record<string, string>;
  startsAt: string;
  endsAt: string;
  createdBy: string | null;
  comment: string | null;
}

/** Silences in force at `now`: the config's (until a date) and those added with `stocklens alerts silence`. */
export async function activeSilences(config: Config, connection: Connection, now: Date): Promise<Silence[]> {
  const fromConfig = config.alerts.silences
    .map((silence, index) => ({ id: `config:${index}`, matchers: { ...silence.match }, startsAt: new Date(0).toISOString(), endsAt: new Date(silence.until).toISOString(), createdBy: 'config', comment: silence.comment ?? null }))
    .filter((silence) => silence.endsAt > now.toISOString());
  const stored = await connection.rows(sql`
    select silence_id, matchers, starts_at, ends_at, created_by, comment from alerts.silences
    where starts_at <= ${now.toISOString()}::timestamptz and ends_at > ${now.toISOString()}::timestamptz order by starts_at, silence_id`);
  return [
    ...fromConfig,
    ...stored.map((row) => ({
      id: String(row.silence_id),
      matchers: JSON.parse(String(row.matchers)) as Record<string, string>,
      startsAt: String(row.starts_at),
      endsAt: String(row.ends_at),
      createdBy: row.created_by === null ? null : String(row.created_by),
      comment: row.comment === null ? null : String(row.comment),
    })),
  ];
}

export async function addSilence(connection: Connection, silence: { matchers: Record<string, string>; startsAt: Date; endsAt: Date; createdBy?: string; comment?: string }): Promise<Silence> {
  const id = randomUUID();
  await connection.run(sql`
    insert into alerts.silences values (${id}, ${JSON.stringify(silence.matchers)}, ${silence.startsAt.toISOString()}::timestamptz,
      ${silence.endsAt.toISOString()}::timestamptz, ${silence.createdBy ?? null}, ${silence.comment ?? null})`);
  return { id, matchers: silence.matchers, startsAt: silence.startsAt.toISOString(), endsAt: silence.endsAt.toISOString(), createdBy: silence.createdBy ?? null, comment: silence.comment ?? null };
}

/** Ends a silence now (it stays in the table as history). */
export async function expireSilence(connection: Connection, id: string, now: Date): Promise<boolean> {
  const found = await connection.one(sql`select silence_id from alerts.silences where silence_id = ${id} and ends_at > ${now.toISOString()}::timestamptz`);
  if (!found) return false;
  await connection.run(sql`update alerts.silences set ends_at = ${now.toISOString()}::timestamptz where silence_id = ${id}`);
  return true;
}

export function silencing(silences: Silence[], labels: Record<string, string>): Silence | undefined {
  return silences.find((silence) => labelsMatch(silence.matchers, labels));
}
