import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../core/load-config.ts';
import { ModelError, causeMessage } from '../../core/errors.ts';
import { inline, sql, type Connection, type Database } from '../../db/database.ts';
import { writeConfigSeeds } from './config-seeds.ts';
import { executeModel } from './execute-model.ts';
import { writeManifest, type Manifest } from './manifest.ts';
import { stagePrefix } from './materialize-plan.ts';
import { keepLandedSeen, lateCaptures, snapshotLanded } from './late-captures.ts';
import { addParsedDependencies, parseRelations } from './parse-relations.ts';
import { defaultModelsDir, layers, loadProject, type Project } from './project.ts';
import { criticalPath, runDag, type DagNode, type NodeStatus } from './run-dag.ts';
import { RunHistory, type NodeResult, type TestOutcome } from './run-history.ts';
import { blocking, describeOutcome, modelTests, runTests, singularTest } from './run-tests.ts';
import { selectModels } from './select-nodes.ts';
import { checkFreshness } from './source-freshness.ts';

export interface BuildOptions {
  modelsDir?: string;
  /** dbt-style selectors (`name`, `+name`, `name+`, `tag:x`; spaces union, commas intersect). */
  select?: string[];
  /** Exactly these nodes (what `retry` passes), instead of selectors. */
  nodes?: string[];
  /** Rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Nodes built at once, each on its own connection (default 2). */
  threads?: number;
  /** Stop starting nodes after the first failure. */
  failFast?: boolean;
  /** Only run the tests against the published relations (`stocklens test`). */
  testOnly?: boolean;
  /** Recorded in meta.runs: build, test or retry. */
  command?: string;
  /** The reference time of source freshness (default now). */
  now?: Date;
  onStart?: (node: string, kind: NodeResult['kind']) => void;
  onNode?: (result: NodeResult, done: number, total: number) => void;
  onTest?: (outcome: TestOutcome) => void;
}

export interface BuildSummary {
  runId: string;
  /** Every node's result in the order they finished (sources, models, singular tests). */
  results: NodeResult[];
  /** Every test outcome, passes included. */
  tests: TestOutcome[];
  ok: boolean;
  manifest?: Manifest;
  /** Why an incremental build rebuilt everything instead (a capture landed late). */
  fullRefreshReason?: string;
  /**
   * When the last model was published, and how long the checkpoint after it took (writing what the
   * build logged to the database file), or why it failed: the models are published either way, and
   * DuckDB checkpoints by itself once the log passes `checkpoint_threshold`.
   */
  publishedMs?: number;
  checkpointMs?: number;
  checkpointError?: string;
}

// One build at a time per process: the scheduler and the server's build endpoint share the file.
let buildQueue: Promise<unknown> = Promise.resolve();

/** Builds the selected models in DAG order, in parallel where the DAG allows; a failed model skips the models that depend on it. */
export function buildModels(config: Config, db: Database, options: BuildOptions = {}): Promise<BuildSummary> {
  const build = buildQueue.then(() => runBuild(config, db, options));
  buildQueue = build.catch(() => undefined);
  return build;
}

/** `stocklens test`: the tests of the selected models against what is published now. */
export function testModels(config: Config, db: Database, options: BuildOptions = {}): Promise<BuildSummary> {
  return buildModels(config, db, { ...options, testOnly: true, command: options.command ?? 'test' });
}

async function runBuild(config: Config, db: Database, options: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const summary = await runNodes(config, db, options);
  if (options.testOnly) return summary;
  const published = performance.now();
  const checkpoint = await db.checkpoint().then(
    () => ({ checkpointMs: performance.now() - published }),
    (error: unknown) => ({ checkpointError: causeMessage(error) }),
  );
  return { ...summary, publishedMs: published - started, ...checkpoint };
}

async function runNodes(config: Config, db: Database, options: BuildOptions): Promise<BuildSummary> {
  const project = loadProject(options.modelsDir ?? modelsDirOf(config));
  const runId = randomUUID();
  const results: NodeResult[] = [];
  const tests: TestOutcome[] = [];
  const history = await RunHistory.open(db);
  const workers: Connection[] = [];
  try {
    let fullRefreshReason: string | undefined;
    let landedSnapshot = false;
    const relations = await db.withConnection(async (connection) => {
      if (!options.testOnly) {
        await writeConfigSeeds(connection, config);
        for (const schema of layers) await connection.run(sql`create schema if not exists ${sql.ident(schema)}`);
        await dropLeftoverStages(connection);
        landedSnapshot = await snapshotLanded(connection);
        if (landedSnapshot && !options.fullRefresh) fullRefreshReason = describeLate(await lateCaptures(connection));
      }
      const found = await parseRelations(connection, project);
      addParsedDependencies(project, found);
      return found;
    });
    const fullRefresh = Boolean(options.fullRefresh) || fullRefreshReason !== undefined;
    const nodes = plannedNodes(project, options);
    await history.startRun({ runId, command: options.command ?? 'build', selector: options.select?.join(' '), fullRefresh, nodes: nodes.map((node) => node.name) });
    const freshness = await db.withConnection((connection) => checkFreshness(connection, config, runId, options.now ?? new Date()));
    const total = freshness.length + nodes.length;
    const finish = async (result: NodeResult) => {
      // Counted before the history write: another node finishing meanwhile must not share its number.
      const done = results.push(result);
      await history.node(result);
      options.onNode?.(result, done, total);
    };
    const onTest = async (outcome: TestOutcome) => {
      tests.push(outcome);
      history.test(outcome);
      options.onTest?.(outcome);
    };
    for (const result of freshness) await finish(result);

    for (let index = 0; index < Math.max(1, options.threads ?? config.models.threads); index++) workers.push(await db.connect());
    const expected = criticalPath(nodes, await history.lastDurations(fullRefresh));
    await runDag<Connection>(nodes, {
      workers,
      priority: (node) => expected.get(node.name) ?? 0,
      failFast: Boolean(options.failFast),
      skip: (node, reason) => finish({ runId, node: node.name, kind: kindOf(node), status: 'skipped', durationMs: 0, error: reason, startedAt: new Date() }),
      execute: async (node, connection) => {
        const startedAt = new Date();
        options.onStart?.(node.name, kindOf(node));
        const result = await executeNode(connection, project, node, { runId, fullRefresh, testOnly: Boolean(options.testOnly), onTest }).then(
          (done) => ({ runId, node: node.name, kind: kindOf(node), startedAt, durationMs: Date.now() - startedAt.getTime(), ...done }),
          (error: unknown) => {
            const message = error instanceof ModelError ? error.message : `${project.models.get(node.name)?.file ?? node.name}: ${causeMessage(error)}`;
            return { runId, node: node.name, kind: kindOf(node), startedAt, durationMs: Date.now() - startedAt.getTime(), status: 'error' as const, error: message };
          },
        );
        await finish(result);
        return result.status;
      },
    });
    const ok = results.every((result) => result.status === 'success' || result.status === 'warn');
    await history.finishRun(runId, ok ? 'success' : 'error');
    if (ok && landedSnapshot) await db.withConnection(keepLandedSeen);
    const manifest = await db.withConnection((connection) => writeManifest(connection, config, project, relations, runId));
    return { runId, results, tests, ok, manifest, ...(fullRefreshReason ? { fullRefreshReason } : {}) };
  } finally {
    for (const worker of workers) worker.closeSync();
    await history.close();
  }
}

function describeLate(late: Awaited<ReturnType<typeof lateCaptures>>): string | undefined {
  if (late.length === 0) return undefined;
  const first = late[0]!;
  return `${first.source} ${first.entity} captured at ${first.captured_at} landed after a newer capture was built${late.length > 1 ? ' (and others)' : ''}: rebuilding incremental models in full`;
}

/** `models.dir` of the config, relative to the config file; else the models shipped with Stocklens. */
export function modelsDirOf(config: Config): string {
  return config.models.dir ? path.resolve(path.dirname(config.file), config.models.dir) : defaultModelsDir;
}

interface NodeRun {
  runId: string;
  fullRefresh: boolean;
  testOnly: boolean;
  onTest: (outcome: TestOutcome) => Promise<void>;
}

type NodeDone = { status: NodeStatus; rows?: number; error?: string; phases?: NodeResult['phases'] };

const testNodePrefix = 'test:';

async function executeNode(connection: Connection, project: Project, node: DagNode, run: NodeRun): Promise<NodeDone> {
  if (node.name.startsWith(testNodePrefix)) {
    const test = project.singularTests.find((candidate) => candidate.name === node.name.slice(testNodePrefix.length))!;
    return testStatus(await runTests(connection, run.runId, [singularTest(test, project)], run.onTest));
  }
  const model = project.models.get(node.name)!;
  if (run.testOnly) {
    const relation = model.materialized === 'ephemeral' ? undefined : sql.ident(model.layer, model.name);
    const planned = relation ? modelTests(model, project, relation) : [];
    return testStatus(await runTests(connection, run.runId, planned, run.onTest));
  }
  const built = await executeModel(connection, model, { project, runId: run.runId, fullRefresh: run.fullRefresh, onTest: run.onTest });
  return { status: 'success', rows: built.rows, phases: built.phases };
}

function testStatus(outcomes: TestOutcome[]): NodeDone {
  const failed = blocking(outcomes);
  if (failed.length > 0) return { status: 'error', error: failed.map(describeOutcome).join('; ') };
  const warned = outcomes.filter((outcome) => outcome.status !== 'pass');
  return warned.length > 0 ? { status: 'warn', error: warned.map(describeOutcome).join('; ') } : { status: 'success' };
}

function kindOf(node: DagNode): NodeResult['kind'] {
  return node.name.startsWith(testNodePrefix) ? 'test' : 'model';
}

/** The run's nodes in DAG order: the selected models, then the unattached singular tests that read them. */
function plannedNodes(project: Project, options: BuildOptions): DagNode[] {
  const exact = options.nodes ? new Set(options.nodes) : undefined;
  const selected = exact ? new Set(project.order.filter((name) => exact.has(name))) : selectModels(project, options.select ?? []);
  const everything = !exact && (options.select ?? []).length === 0;
  const models = project.order.filter((name) => selected.has(name)).map((name) => ({ name, dependsOn: project.models.get(name)!.dependsOn }));
  const tests = project.singularTests
    .filter((test) => !test.model)
    .filter((test) => (exact ? exact.has(`${testNodePrefix}${test.name}`) : everything || test.dependsOn.some((name) => selected.has(name))))
    .map((test) => ({ name: `${testNodePrefix}${test.name}`, dependsOn: test.dependsOn }));
  return [...models, ...tests];
}

/** A build killed mid-write leaves its staging relations behind; they are never published, only dropped. */
async function dropLeftoverStages(connection: Connection): Promise<void> {
  const leftovers = await connection.rows<{ table_schema: string; table_name: string; table_type: string }>(
    sql`select table_schema, table_name, table_type from information_schema.tables
        where table_catalog = current_database() and table_schema in (${sql.join(layers.map((layer) => sql`${layer}`), sql`, `)}) and starts_with(table_name, ${stagePrefix})`,
  );
  for (const leftover of leftovers) {
    const relation = sql.ident(leftover.table_schema, leftover.table_name);
    await connection.run(inline(leftover.table_type === 'VIEW' ? sql`drop view if exists ${relation}` : sql`drop table if exists ${relation}`));
  }
}
