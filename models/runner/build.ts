import { randomUUID } from 'node:crypto';
import type { Config } from '../../core/load-config.ts';
import { ModelError, causeMessage } from '../../core/errors.ts';
import { sql, type Connection, type Database } from '../../db/database.ts';
import { writeConfigSeeds } from './config-seeds.ts';
import { compileBody, loadProject, relationOf, type Model, type Project } from './project.ts';
import { ensureMetaSchema, recordNodeResult, type NodeResult } from './run-history.ts';

export interface BuildOptions {
  modelsDir?: string;
  onNode?: (result: NodeResult, done: number, total: number) => void;
}

export interface BuildSummary {
  runId: string;
  results: NodeResult[];
  ok: boolean;
}

/** Builds every model in DAG order; a failed model skips the models that depend on it. */
export async function buildModels(config: Config, db: Database, options: BuildOptions = {}): Promise<BuildSummary> {
  const project = loadProject(options.modelsDir);
  const runId = randomUUID();
  const results: NodeResult[] = [];
  await db.withConnection(async (connection) => {
    await ensureMetaSchema(connection);
    await writeConfigSeeds(connection, config);
    for (const schema of ['staging', 'intermediate', 'marts']) await connection.run(`create schema if not exists ${schema}`);
    const failed = new Set<string>();
    for (const name of project.order) {
      const model = project.models.get(name)!;
      const startedAt = new Date();
      let result: NodeResult;
      const blockedBy = model.dependsOn.find((dependency) => failed.has(dependency));
      if (blockedBy) {
        failed.add(name);
        result = { runId, node: name, kind: 'model', status: 'skipped', durationMs: 0, error: `upstream ${blockedBy} failed`, startedAt };
      } else {
        try {
          const rows = await materialize(connection, model, project);
          result = { runId, node: name, kind: 'model', status: 'success', rows, durationMs: Date.now() - startedAt.getTime(), startedAt };
        } catch (error) {
          failed.add(name);
          const modelError = error instanceof ModelError ? error : new ModelError(`${model.file}: ${causeMessage(error)}`, { model: name, file: model.file }, { cause: error });
          result = { runId, node: name, kind: 'model', status: 'error', durationMs: Date.now() - startedAt.getTime(), error: modelError.message, startedAt };
        }
      }
      await recordNodeResult(connection, result);
      results.push(result);
      options.onNode?.(result, results.length, project.order.length);
    }
  });
  return { runId, results, ok: results.every((result) => result.status === 'success') };
}

/**
 * Write-audit-publish for tables: build under a staging name, then swap it in within one
 * transaction, so readers see the old table or the new one, never a half-built one.
 */
async function materialize(connection: Connection, model: Model, project: Project): Promise<number | undefined> {
  const body = compileBody(model, project);
  const { schema, name } = relationOf(model);
  const target = sql.ident(schema, name);
  switch (model.materialized) {
    case 'ephemeral':
      return undefined;
    case 'view':
      await connection.run(sql`create or replace view ${target} as ${sql.__dangerous__rawValue(body)}`);
      return undefined;
    case 'table':
    case 'incremental': {
      const staging = sql.ident(schema, `__stage_${name}`);
      await connection.run(sql`create or replace table ${staging} as ${sql.__dangerous__rawValue(body)}`);
      await connection.transaction(async () => {
        await connection.run(sql`drop table if exists ${target}`);
        await connection.run(sql`alter table ${staging} rename to ${sql.ident(name)}`);
      });
      const counted = await connection.one<{ n: number }>(sql`select count(*) as n from ${target}`);
      return Number(counted?.n ?? 0);
    }
  }
}
