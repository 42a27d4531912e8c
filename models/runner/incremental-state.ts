import { literal, sql, type Connection, type SQLQuery } from '../../db/database.ts';
import { ModelError } from '../../core/errors.ts';
import type { Model } from './project.ts';
import type { RenderContext } from './render-sql.ts';

/**
 * Where an incremental run starts: the latest time already built minus the lookback (late rows
 * inside it are re-processed), or earlier where the interval ledger's coverage stops (a slice
 * that never landed), so the gap is filled. Append re-reads nothing: its bound is exclusive.
 */
export async function incrementalWindow(connection: Connection, model: Model, target: SQLQuery): Promise<RenderContext['window']> {
  if (!model.timeColumn) return undefined;
  const column = sql.ident(model.timeColumn);
  const latest = await connection
    .one<{ type: string; latest: string | null }>(sql`select typeof(max(${column})) as type, max(${column})::varchar as latest from ${target}`)
    .catch((error) => {
      throw new ModelError(`${model.file}: time_column: ${model.timeColumn} cannot be read from the published table: ${(error as Error).message.split('\n')[0]}`, { model: model.name, file: model.file }, { cause: error });
    });
  if (!latest || latest.latest === null) return undefined;
  const type = latest.type;
  if (!/^[A-Z0-9_ ()]+$/.test(type)) throw new ModelError(`${model.file}: time_column: ${model.timeColumn} has unexpected type ${type}`, { model: model.name, file: model.file });
  const cast = (text: string) => `CAST(${literal(text)} AS ${type})`;
  if (model.incrementalStrategy === 'append') return { operator: '>', literal: cast(latest.latest) };
  const temporal = /DATE|TIME/.test(type);
  if (model.lookbackMs > 0 && !temporal) {
    throw new ModelError(`${model.file}: lookback needs a date or timestamp time_column, and ${model.timeColumn} is ${type}`, { model: model.name, file: model.file });
  }
  const bound = await connection.one<{ bound: string }>(
    model.lookbackMs > 0
      ? sql`select (${sql.__dangerous__rawValue(cast(latest.latest))} - to_milliseconds(${model.lookbackMs}::bigint))::varchar as bound`
      : sql`select ${latest.latest}::varchar as bound`,
  );
  const coveredUntil = await coveredUntilOf(connection, model.name, type);
  const lower = coveredUntil !== undefined && (await isBefore(connection, coveredUntil, bound!.bound, type)) ? coveredUntil : bound!.bound;
  return { operator: '>=', literal: cast(lower) };
}

/**
 * Where the ledger's coverage stops: the end of the covered time before the first hole between
 * recorded intervals, else the end of the last one. Earlier than the table's latest time means a
 * slice is missing (or rows were written outside the runner): the next run starts there.
 */
async function coveredUntilOf(connection: Connection, model: string, type: string): Promise<string | undefined> {
  const typed = sql.__dangerous__rawValue(type);
  const row = await connection.one<{ covered_until: string | null }>(sql`
    with intervals as (
      select cast(time_from as ${typed}) as time_from, cast(time_to as ${typed}) as time_to
      from meta.model_intervals where model = ${model} and time_from is not null),
    covered as (
      select time_from, time_to, max(time_to) over (order by time_from rows between unbounded preceding and 1 preceding) as covered_to
      from intervals)
    select coalesce(min(covered_to) filter (where time_from > covered_to), max(time_to))::varchar as covered_until from covered`);
  return row?.covered_until ?? undefined;
}

async function isBefore(connection: Connection, a: string, b: string, type: string): Promise<boolean> {
  const typed = sql.__dangerous__rawValue(type);
  const row = await connection.one<{ before: boolean }>(sql`select cast(${a} as ${typed}) < cast(${b} as ${typed}) as before`);
  return Boolean(row?.before);
}

/**
 * Ledger rows for a published build, inside the publish transaction: a full build restarts the
 * ledger with the whole range; an incremental run adds [lower bound, new latest].
 */
export function recordInterval(model: Model, runId: string, target: SQLQuery, window: RenderContext['window']): SQLQuery[] {
  if (!model.timeColumn) return [];
  const column = sql.ident(model.timeColumn);
  if (!window) {
    return [
      sql`delete from meta.model_intervals where model = ${model.name}`,
      sql`insert into meta.model_intervals select ${model.name}, ${runId}, min(${column})::varchar, max(${column})::varchar, now() from ${target}`,
    ];
  }
  return [sql`insert into meta.model_intervals select ${model.name}, ${runId}, (${sql.__dangerous__rawValue(window.literal)})::varchar, max(${column})::varchar, now() from ${target}`];
}
