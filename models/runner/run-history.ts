import { sql, type Connection, type Database } from '../../db/database.ts';

/** meta.* keeps every node's result as it finishes, so history survives a crash. */
export async function ensureMetaSchema(connection: Connection): Promise<void> {
  await connection.run(`
    create schema if not exists meta;
    create table if not exists meta.run_results (
      run_id varchar not null, node varchar not null, kind varchar not null, status varchar not null,
      rows bigint, duration_ms bigint, error varchar, started_at timestamptz, finished_at timestamptz);
    create table if not exists meta.test_results (
      run_id varchar not null, node varchar not null, test varchar not null, severity varchar not null,
      status varchar not null, failures bigint, duration_ms bigint, error varchar, finished_at timestamptz);
    create table if not exists meta.runs (
      run_id varchar primary key, command varchar not null, selector varchar, full_refresh boolean,
      nodes varchar[], status varchar, started_at timestamptz, finished_at timestamptz);
    create table if not exists meta.model_intervals (
      model varchar not null, run_id varchar not null, time_from varchar, time_to varchar, built_at timestamptz);`);
}

export interface NodeResult {
  runId: string;
  node: string;
  kind: 'model' | 'test' | 'seed' | 'source';
  /** `warn`: a test or a freshness check past its warning threshold; the run still succeeds. */
  status: 'success' | 'error' | 'skipped' | 'warn';
  rows?: number;
  durationMs: number;
  error?: string;
  startedAt: Date;
  /** A built model's time writing, auditing and publishing (not stored in meta.run_results). */
  phases?: { writeMs: number; auditMs: number; publishMs: number };
}

export interface TestOutcome {
  runId: string;
  /** The model the test audits, or the singular test's own name. */
  node: string;
  test: string;
  severity: 'error' | 'warn';
  /** `fail`: a blocking test found rows; `warn`: a warn test found rows; `error`: the test query failed. */
  status: 'pass' | 'fail' | 'warn' | 'error';
  failures?: number;
  durationMs: number;
  error?: string;
}

export interface RunRecord {
  runId: string;
  command: string;
  selector?: string;
  fullRefresh: boolean;
  nodes: string[];
}

export async function recordNodeResult(connection: Connection, result: NodeResult): Promise<void> {
  await connection.run(sql`
    insert into meta.run_results values (${result.runId}, ${result.node}, ${result.kind}, ${result.status}, ${result.rows ?? null},
      ${Math.round(result.durationMs)}, ${result.error ?? null}, ${result.startedAt.toISOString()}::timestamptz, now())`);
}

/**
 * The run's history writer: one connection of its own and one write at a time, each committed on
 * its own, so a result is on disk the moment its node finishes and worker transactions never race it.
 */
export class RunHistory {
  private queue: Promise<unknown> = Promise.resolve();
  /** The first test outcome that could not be written, reported by the next node write. */
  private unrecorded: unknown;

  private constructor(private readonly connection: Connection) {}

  static async open(db: Database): Promise<RunHistory> {
    const connection = await db.connect();
    await ensureMetaSchema(connection);
    return new RunHistory(connection);
  }

  startRun(run: RunRecord): Promise<void> {
    return this.write(sql`insert into meta.runs values (${run.runId}, ${run.command}, ${run.selector ?? null}, ${run.fullRefresh},
      [${sql.join(run.nodes.map((node) => sql`${node}`), sql`, `)}]::varchar[], 'running', now(), null)`);
  }

  finishRun(runId: string, status: 'success' | 'error'): Promise<void> {
    return this.write(sql`update meta.runs set status = ${status}, finished_at = now() where run_id = ${runId}`);
  }

  /** Written after every test outcome queued before it, so a node's outcomes are on disk when it is. */
  async node(result: NodeResult): Promise<void> {
    await this.enqueue(() => recordNodeResult(this.connection, result));
    if (this.unrecorded !== undefined) throw this.unrecorded;
  }

  /**
   * Queued, not awaited: a node's next test runs while this one's outcome is written (a commit
   * each, which waits whenever a model's publish holds the commit lock). A failed write fails the
   * next `node` write instead.
   */
  test(outcome: TestOutcome): void {
    this.write(sql`insert into meta.test_results values (${outcome.runId}, ${outcome.node}, ${outcome.test}, ${outcome.severity},
      ${outcome.status}, ${outcome.failures ?? null}, ${Math.round(outcome.durationMs)}, ${outcome.error ?? null}, now())`).catch((error: unknown) => {
      this.unrecorded ??= error;
    });
  }

  /**
   * How long each node took the last time it succeeded, in a run of the same kind (full or
   * incremental) when there was one, else of the other: what the next run can expect, to start its
   * longest chain first (a full build's durations still tell the heavy models from the light ones).
   */
  async lastDurations(fullRefresh: boolean): Promise<Map<string, number>> {
    const durations = new Map<string, number>();
    await this.enqueue(async () => {
      const rows = await this.connection.rows<{ node: string; duration_ms: number }>(sql`
        select r.node, first(r.duration_ms order by u.full_refresh = ${fullRefresh} desc, r.finished_at desc) as duration_ms
        from meta.run_results r join meta.runs u using (run_id)
        where r.status in ('success', 'warn') and u.command <> 'test'
        group by r.node`);
      for (const row of rows) durations.set(row.node, Number(row.duration_ms));
    });
    return durations;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.connection.closeSync();
  }

  private write(statement: Parameters<Connection['run']>[0]): Promise<void> {
    return this.enqueue(() => this.connection.run(statement));
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * Runs a previous process left `running` (it was killed mid-build) are closed as `interrupted`;
 * only the process that owns the database may call it, when it starts, before it builds.
 */
export async function closeInterruptedModelRuns(db: Database): Promise<number> {
  if (!(await db.withConnection((connection) => connection.relationKind('meta', 'runs')))) return 0;
  const closed = await db.rows(sql`update meta.runs set status = 'interrupted', finished_at = now() where status = 'running' returning run_id`);
  return closed.length;
}
