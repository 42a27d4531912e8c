import { EventEmitter } from 'node:events';
import type { Database } from '../db/database.ts';
import { logger } from './logger.ts';

/**
 * The pipeline coordinator: the one owner of what runs at the same time as what in a Stocklens
 * process. Every queue, lease and event of the pipeline lives here; the stages call it and keep
 * no scheduling state of their own.
 *
 * Contract:
 * - **Landings** (`landInTurn`): one landing per source at a time, in the order asked, so two
 *   landings of the same batch never race past the ledger check (a schedule and a webhook, a
 *   retry and a catch-up). Landings of different sources run side by side. Caller: land-batch.
 * - **Threads lease** (`withOneThread`): while any landing runs, DuckDB's instance-wide `threads`
 *   is 1 (a landing group is small; one thread each lets sources land side by side, one core
 *   each). The first holder saves the setting and sets 1, the last restores it; a lease taken
 *   while the previous restore runs waits for it. Callers: run-ingest (one lease for a whole run)
 *   and every landing (nested leases are counted, not re-applied).
 * - **Model runs** (`modelRunInTurn`): one at a time, in order: a build, test or retry and its
 *   after-build step (exports published, alerts evaluated, the checkpoint) are one turn, so the
 *   next run starts on published tables. Landings may run during a model run (the run reads what
 *   was committed when each model started); batches landed meanwhile queue one more build.
 * - **Builds after landings** (`afterLandings`): landings coalesce: while a refresh runs, every
 *   landing that finishes adds to one more refresh, never one each.
 * - **Events**: `landed` (a run landed batches: the serving process refreshes the models) and
 *   `published` (a build's marts and exports are published: API caches drop their answers). Only
 *   run-ingest emits `landed` and only the export step emits `published`.
 * - **Readers** (API queries, analyst SQL) run beside all of this; the server's query gate and
 *   analyst slots bound how many run at once (server/query-gate.ts, server/sql/analyst-slots.ts).
 *   A checkpoint runs inside a model run's turn, after its publish.
 *
 * One coordinator per process (`pipeline`): DuckDB allows one process per database file, and the
 * lease is per database within it.
 */
export class PipelineCoordinator<Landed extends { source: string } = { source: string }> {
  private readonly landingQueues = new Map<string, Promise<unknown>>();
  private readonly leases = new Map<Database, Lease>();
  private readonly restores = new Map<Database, Promise<unknown>>();
  private modelRuns: Promise<unknown> = Promise.resolve();
  private readonly events = new EventEmitter<{ landed: [Landed]; published: [] }>();

  /** Runs `fn`, a landing of `source`, after the landings of that source asked for before it, under the threads lease. */
  landInTurn<T>(db: Database, source: string, fn: () => Promise<T>): Promise<T> {
    const turn = (this.landingQueues.get(source) ?? Promise.resolve()).then(() => this.withOneThread(db, fn));
    const settled = turn.catch(() => undefined);
    this.landingQueues.set(source, settled);
    void settled.then(() => this.landingQueues.get(source) === settled && this.landingQueues.delete(source));
    return turn;
  }

  /** Runs `fn` with DuckDB's `threads` at 1 for the database (see the contract). */
  async withOneThread<T>(db: Database, fn: () => Promise<T>): Promise<T> {
    let lease = this.leases.get(db);
    if (!lease) {
      const created: Lease = { holders: 0, ready: Promise.resolve(undefined) };
      const restoring = this.restores.get(db);
      created.ready = (async () => {
        // A restore still running from the last lease first ends, so this one saves the real setting.
        await restoring;
        const row = await db.one<{ threads: number }>("select current_setting('threads') as threads");
        await db.run('set threads = 1');
        return Number(row?.threads ?? 1);
      })();
      this.leases.set(db, created);
      lease = created;
    }
    lease.holders++;
    try {
      await lease.ready;
      return await fn();
    } finally {
      if (--lease.holders === 0) {
        this.leases.delete(db);
        const finished = lease.ready.then(
          (saved) => (saved !== undefined && saved !== 1 ? db.run(`set threads = ${saved}`).catch(() => {}) : undefined),
          () => undefined,
        );
        this.restores.set(db, finished);
        await finished;
        if (this.restores.get(db) === finished) this.restores.delete(db);
      }
    }
  }

  /** Runs `fn`, a model run with its after-build step, after every model run asked for before it. */
  modelRunInTurn<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.modelRuns.then(fn);
    this.modelRuns = next.catch(() => undefined);
    return next;
  }

  /** A run landed batches (run-ingest). */
  landed(summary: Landed): void {
    this.events.emit('landed', summary);
  }

  /** A build's marts and exports are published (the export step). */
  published(): void {
    this.events.emit('published');
  }

  onPublished(listener: () => void): () => void {
    this.events.on('published', listener);
    return () => this.events.off('published', listener);
  }

  /**
   * Calls `refresh` with the summaries of the runs that landed since it last started: one call at
   * a time, one more when runs landed meanwhile. `stop()` unsubscribes and waits for a call under way.
   */
  afterLandings(refresh: (summaries: Landed[]) => Promise<void> | void): { stop(): Promise<void> } {
    let stopped = false;
    let pending: Landed[] = [];
    let running: Promise<void> | undefined;
    const drain = async () => {
      while (pending.length > 0 && !stopped) {
        const summaries = pending;
        pending = [];
        try {
          await refresh(summaries);
        } catch (error) {
          logger.error({ err: error }, 'build after landing failed');
        }
      }
    };
    const listener = (summary: Landed) => {
      if (stopped) return;
      pending.push(summary);
      running ??= drain().finally(() => (running = undefined));
    };
    this.events.on('landed', listener);
    return {
      stop: async () => {
        stopped = true;
        this.events.off('landed', listener);
        await running;
      },
    };
  }
}

interface Lease {
  holders: number;
  /** The database's threads setting before the first landing; settled once it is set to 1. */
  ready: Promise<number | undefined>;
}

/** The coordinator of this process. */
export const pipeline = new PipelineCoordinator();
