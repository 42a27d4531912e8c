import { sql, type SQLQuery } from '../../db/database.ts';
import type { IncrementalStrategy, Materialization } from './model-file.ts';

/**
 * The statements that write, audit and publish one model (write-audit-publish). Pure: the same
 * inputs give the same SQL text, which the golden files under test/models/golden pin down.
 *
 * - `write` builds the new result under a staging name next to the target;
 * - `audit` is the relation the blocking tests read: the staged table, or for an incremental run
 *   the would-be result (target with the slice applied), so a bad slice is caught before it lands;
 * - `publish` runs in one transaction: readers see the old result or the new one, never a mix.
 */
export interface ModelPlan {
  write: SQLQuery[];
  audit: SQLQuery;
  publish: SQLQuery[];
  /** Drops what `write` left when the audit or the publish fails. */
  discard: SQLQuery[];
  /** An incremental run's new rows (the staged slice), which row-level tests need to check alone. */
  slice?: SQLQuery;
}

export interface PlanInput {
  schema: string;
  name: string;
  materialized: Materialization;
  /** The rendered body (placeholders replaced). */
  body: string;
  /** `full` replaces the target; `incremental` applies the slice the body selects to it. */
  mode: 'full' | 'incremental';
  strategy: IncrementalStrategy;
  uniqueKey: string[];
  /** What the target is now, so a view can replace a table and the other way round. */
  existing?: 'table' | 'view';
  /** Columns of the slice the target lacks (on_schema_change: append_new_columns). */
  addColumns?: { name: string; type: string }[];
  /**
   * The slice's earliest value of a unique_key column that carries time: published rows before it
   * cannot match a new row, so the key match reads only the table's tail (DuckDB skips the row
   * groups before it by their min/max), not the whole history.
   */
  sliceFrom?: { column: string; literal: string };
}

export const stagePrefix = '__stage_';

export function planModel(input: PlanInput): ModelPlan {
  const target = sql.ident(input.schema, input.name);
  const stage = sql.ident(input.schema, `${stagePrefix}${input.name}`);
  const body = sql.__dangerous__rawValue(input.body);
  const dropExisting = input.existing === 'view' ? sql`drop view if exists ${target}` : sql`drop table if exists ${target}`;
  switch (input.materialized) {
    case 'ephemeral':
      return { write: [], audit: sql`(${body}\n)`, publish: [], discard: [] };
    case 'view':
      return {
        write: [sql`create or replace view ${stage} as ${body}`],
        audit: stage,
        publish: [...(input.existing === 'table' ? [dropExisting] : []), sql`create or replace view ${target} as ${body}`, sql`drop view ${stage}`],
        discard: [sql`drop view if exists ${stage}`],
      };
    case 'table':
    case 'incremental':
      if (input.materialized === 'table' || input.mode === 'full') {
        return {
          write: [sql`create or replace table ${stage} as ${body}`],
          audit: stage,
          publish: [...(input.existing ? [dropExisting] : []), sql`alter table ${stage} rename to ${sql.ident(input.name)}`],
          discard: [sql`drop table if exists ${stage}`],
        };
      }
      return planIncremental(input, target, stage, body);
  }
}

function planIncremental(input: PlanInput, target: SQLQuery, stage: SQLQuery, body: SQLQuery): ModelPlan {
  const addColumns = (input.addColumns ?? []).map((column) => sql`alter table ${target} add column ${sql.ident(column.name)} ${sql.__dangerous__rawValue(columnType(column.type))}`);
  const write = [sql`create or replace table ${stage} as ${body}`];
  const discard = [sql`drop table if exists ${stage}`];
  if (input.strategy === 'append') {
    return {
      write,
      audit: sql`(select * from ${target} union all by name select * from ${stage})`,
      publish: [...addColumns, sql`insert into ${target} by name select * from ${stage}`, sql`drop table ${stage}`],
      discard,
      slice: stage,
    };
  }
  // NULL keys match each other: a key column left NULL must not duplicate a row on every run.
  const keyColumns = input.uniqueKey.map((column) => sql`s.${sql.ident(column)} is not distinct from t.${sql.ident(column)}`);
  const tail = input.sliceFrom ? [sql`t.${sql.ident(input.sliceFrom.column)} >= ${sql.__dangerous__rawValue(input.sliceFrom.literal)}`] : [];
  const sameKey = sql.join([...keyColumns, ...tail], sql` and `);
  // Joins, not correlated (NOT) EXISTS: DuckDB decorrelates those into a grouping of every
  // published row's key (seconds at 12M rows) before it even probes the slice.
  const audit = sql`(select t.* from ${target} as t anti join ${stage} as s on ${sameKey} union all by name select * from ${stage})`;
  const apply =
    input.strategy === 'merge'
      ? [sql`merge into ${target} as t using ${stage} as s on (${sameKey}) when matched then update by name when not matched then insert by name`]
      : [
          sql`delete from ${target} as t using ${stage} as s where ${sameKey}`,
          sql`insert into ${target} by name select * from ${stage}`,
        ];
  return { write, audit, publish: [...addColumns, ...apply, sql`drop table ${stage}`], discard, slice: stage };
}

/** A DuckDB type name as `describe` reports it; anything else is refused rather than spliced. */
function columnType(type: string): string {
  if (!/^[A-Za-z0-9_ (),.[\]"]+$/.test(type)) throw new Error(`unexpected column type ${JSON.stringify(type)}`);
  return type;
}
