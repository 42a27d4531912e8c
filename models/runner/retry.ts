import type { Config } from '../../core/load-config.ts';
import { sql, type Database } from '../../db/database.ts';
import { buildModels, type BuildOptions, type BuildSummary } from './build.ts';
import { ensureMetaSchema } from './run-history.ts';

/**
 * `stocklens retry`: rebuilds what the last build or retry did not finish: nodes that failed,
 * were skipped, or never reported (the process died), with the same --full-refresh setting.
 * Returns undefined when the last run finished every node.
 */
export async function retryModels(config: Config, db: Database, options: BuildOptions = {}): Promise<BuildSummary | undefined> {
  const last = await db.withConnection(async (connection) => {
    await ensureMetaSchema(connection);
    const run = await connection.one<{ run_id: string; full_refresh: boolean; nodes: string[] }>(
      sql`select run_id, full_refresh, nodes from meta.runs where command in ('build', 'retry') order by started_at desc limit 1`,
    );
    if (!run) return undefined;
    const done = await connection.rows<{ node: string }>(sql`select node from meta.run_results where run_id = ${run.run_id} and status in ('success', 'warn')`);
    return { ...run, done: new Set(done.map((row) => row.node)) };
  });
  if (!last) return undefined;
  const nodes = last.nodes.filter((node) => !last.done.has(node));
  if (nodes.length === 0) return undefined;
  return buildModels(config, db, { ...options, nodes, select: undefined, fullRefresh: options.fullRefresh ?? last.full_refresh, command: 'retry' });
}
