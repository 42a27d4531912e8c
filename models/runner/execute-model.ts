import { inline, literal, sql, type Connection, type SQLQuery } from '../../db/database.ts';
import { ModelError, causeMessage } from '../../core/errors.ts';
import { incrementalWindow, recordInterval } from './incremental-state.ts';
import { planModel, stagePrefix, type ModelPlan, type PlanInput } from './materialize-plan.ts';
import { quotedRelation, refTarget, relationOf, type Model, type Project } from './project.ts';
import { locateError, renderSql, type RenderContext, type RenderedSql } from './render-sql.ts';
import type { TestOutcome } from './run-history.ts';
import { blocking, describeOutcome, modelTests, runTests } from './run-tests.ts';

export interface ModelRun {
  project: Project;
  runId: string;
  fullRefresh: boolean;
  onTest: (outcome: TestOutcome) => Promise<void>;
}

/**
 * Rows written by the build (the table's rows, or an incremental slice's; undefined for views), and
 * where the time went: writing the new result, auditing it, publishing it. The rest of a node's
 * duration is the runner's own bookkeeping.
 */
export type ModelBuilt = { rows?: number; tests: TestOutcome[]; phases: ModelPhases };
export type ModelPhases = { writeMs: number; auditMs: number; publishMs: number };

/**
 * Builds one model with write-audit-publish on `connection`: write the new result under a staging
 * name, run its tests against it, and only when no blocking test fails publish it in one transaction.
 * Any failure leaves the published relation as it was and throws a ModelError naming file and line.
 */
export async function executeModel(connection: Connection, model: Model, run: ModelRun): Promise<ModelBuilt> {
  const { schema, name } = relationOf(model);
  const target = sql.ident(schema, name);
  const existing = await connection.relationKind(schema, name);
  const incremental = model.materialized === 'incremental' && existing === 'table' && !run.fullRefresh;
  const window = incremental ? await incrementalWindow(connection, model, target) : undefined;
  const context: RenderContext = { ref: (ref) => refTarget(run.project, ref), self: quotedRelation(schema, name), window, incremental };
  const rendered = renderSql(model, context);
  const input = {
    schema,
    name,
    materialized: model.materialized,
    body: rendered.text,
    mode: incremental ? ('incremental' as const) : ('full' as const),
    strategy: model.incrementalStrategy,
    uniqueKey: model.uniqueKey,
    existing,
  };
  let plan = planModel(input);
  const phases: ModelPhases = { writeMs: 0, auditMs: 0, publishMs: 0 };
  const timed = async <T>(phase: keyof ModelPhases, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      phases[phase] += performance.now() - started;
    }
  };
  try {
    await timed('writeMs', async () => {
      for (const statement of plan.write) await runStatement(connection, statement, model, rendered);
    });
    if (incremental) {
      const stage = sql.ident(schema, `${stagePrefix}${name}`);
      plan = planModel({ ...input, addColumns: await schemaChange(connection, model, target, stage), sliceFrom: await sliceFrom(connection, model, stage) });
    }
    const tests = await timed('auditMs', () => runTests(connection, run.runId, modelTests(model, run.project, plan.audit, plan.slice), run.onTest));
    const blocked = blocking(tests);
    if (blocked.length > 0) {
      throw new ModelError(`${model.file}: not published, blocking tests failed: ${blocked.map(describeOutcome).join('; ')}`, { model: name, file: model.file });
    }
    const rows = await countRows(connection, model, plan, incremental);
    await timed('publishMs', () =>
      connection.transaction(async () => {
        for (const statement of plan.publish) await connection.run(inline(statement));
        if (model.materialized === 'incremental') for (const statement of recordInterval(model, run.runId, target, window)) await connection.run(statement);
      }),
    );
    return { rows, tests, phases };
  } catch (error) {
    for (const statement of plan.discard) await connection.run(inline(statement)).catch(() => undefined);
    throw error;
  }
}

/** Runs a statement built from the model's body; DuckDB's error is mapped to the model file's line. */
async function runStatement(connection: Connection, statement: SQLQuery, model: Model, rendered: RenderedSql): Promise<void> {
  try {
    await connection.run(inline(statement));
  } catch (error) {
    const located = locateError(causeMessage(error), rendered);
    const where = located.line ? `${model.file}:${located.line}` : model.file;
    throw new ModelError(`${where}: ${located.message}`, { model: model.name, file: model.file, line: located.line, sql: rendered.text }, { cause: error });
  }
}

/**
 * on_schema_change: `fail` refuses a slice whose columns differ from the table's (names or types);
 * `append_new_columns` adds the slice's new columns and fills the ones it lacks with NULL.
 */
async function schemaChange(connection: Connection, model: Model, target: SQLQuery, stage: SQLQuery): Promise<{ name: string; type: string }[]> {
  const describe = async (relation: SQLQuery) =>
    new Map((await connection.rows<{ column_name: string; column_type: string }>(sql`describe ${relation}`)).map((row) => [row.column_name, row.column_type]));
  const [published, slice] = [await describe(target), await describe(stage)];
  const added = [...slice].filter(([column]) => !published.has(column)).map(([column, type]) => ({ name: column, type }));
  if (model.onSchemaChange === 'append_new_columns') return added;
  const missing = [...published.keys()].filter((column) => !slice.has(column));
  const changed = [...slice].filter(([column, type]) => published.has(column) && published.get(column) !== type).map(([column, type]) => `${column} ${published.get(column)} -> ${type}`);
  const problems = [
    ...(added.length ? [`new columns ${added.map((column) => column.name).join(', ')}`] : []),
    ...(missing.length ? [`missing columns ${missing.join(', ')}`] : []),
    ...(changed.length ? [`changed types ${changed.join(', ')}`] : []),
  ];
  if (problems.length === 0) return [];
  throw new ModelError(
    `${model.file}: on_schema_change: fail: the new rows' columns differ from the published table (${problems.join('; ')}); rebuild with --full-refresh or set on_schema_change: append_new_columns`,
    { model: model.name, file: model.file },
  );
}

/** The slice's earliest time, when time is part of the key: see PlanInput.sliceFrom. */
async function sliceFrom(connection: Connection, model: Model, stage: SQLQuery): Promise<PlanInput['sliceFrom']> {
  const column = model.timeColumn;
  if (!column || !model.uniqueKey.includes(column)) return undefined;
  const row = await connection.one<{ type: string; earliest: string | null }>(sql`select typeof(min(${sql.ident(column)})) as type, min(${sql.ident(column)})::varchar as earliest from ${stage}`);
  if (!row || row.earliest === null || !/^[A-Z0-9_ ()]+$/.test(row.type)) return undefined;
  return { column, literal: `CAST(${literal(row.earliest)} AS ${row.type})` };
}

async function countRows(connection: Connection, model: Model, plan: ModelPlan, incremental: boolean): Promise<number | undefined> {
  if (model.materialized === 'view' || model.materialized === 'ephemeral') return undefined;
  const relation = incremental ? sql.ident(model.layer, `${stagePrefix}${model.name}`) : plan.audit;
  const row = await connection.one<{ n: number }>(sql`select count(*) as n from ${relation}`);
  return Number(row?.n ?? 0);
}
