import type { ColumnarResult } from '../db/database.ts';
import { apiCacheLookups } from './metrics.ts';
import type { QueryCall } from './query-gate.ts';

export interface CachedPage {
  result: ColumnarResult;
  total: number;
}

/** Reads one answer; `call` says whether anyone still waits for it (the query gate's priority). */
export type PageLoader = (call: QueryCall) => Promise<CachedPage>;

interface Entry {
  page: CachedPage;
  at: number;
  maxAgeMs: number;
  loader: PageLoader;
  /** When a publish made it out of date; it is still sent for a short while, never after. */
  staleSince?: number;
}

interface Flight {
  page: Promise<CachedPage>;
  callers: (() => boolean)[];
}

/** How long after a publish the previous build's answer may still be sent while the new one is read. */
const staleAfterPublishMs = 60_000;

/**
 * Answers of the API by key (the endpoint and its parsed filters). The marts change only when a
 * build publishes, so an answer stays right until `invalidate()` (on `martsPublished()`); tables
 * written another way (ingest ledgers, run history) give their endpoints a short `maxAgeMs`.
 * Concurrent requests for the same key share one query, so fifty dashboards opening at once cost
 * one DuckDB query. After a publish every answer in use is read again in the background, most
 * recently used first, one at a time behind the live queries (`warm`); until its successor is
 * read, an answer is still sent, for at most a minute after the publish (stale-while-revalidate).
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Flight>();
  private generation = 0;
  private warming: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxRowsPerEntry = 20_000,
    /** How many answers a publish re-reads ahead of their next request (the rest on demand). */
    private readonly warmLimit = 500,
  ) {}

  /**
   * The answer for `key`, from the cache or from `loader`. `gone` tells whether this caller has
   * left; the loader's `call.abandoned()` is true only when every caller waiting on it has.
   */
  async load(key: string, maxAgeMs: number, loader: PageLoader, gone: () => boolean = () => false): Promise<CachedPage> {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && (entry.staleSince === undefined || now - entry.staleSince < staleAfterPublishMs)) {
      // Re-insert so that Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      // Past its age, or published over, an answer is still sent while a fresh one is read in the
      // background: a build's publish does not turn into a burst of queries that all wait.
      const outdated = entry.staleSince !== undefined || now - entry.at > entry.maxAgeMs;
      apiCacheLookups.inc({ outcome: outdated ? 'stale' : 'hit' });
      if (outdated && !this.inFlight.has(key)) void this.refresh(key, maxAgeMs, loader, []).catch(() => undefined);
      return entry.page;
    }
    const flight = this.inFlight.get(key);
    apiCacheLookups.inc({ outcome: flight ? 'shared' : 'miss' });
    if (flight) {
      flight.callers.push(gone);
      return flight.page;
    }
    return this.refresh(key, maxAgeMs, loader, [gone]);
  }

  /**
   * Reads the answer for `key` ahead of its first request, unless it is cached and current or
   * already being read; resolves when it is in (a failure is the next request's to report).
   */
  async warm(key: string, maxAgeMs: number, loader: PageLoader): Promise<void> {
    if (this.closed) return;
    const entry = this.entries.get(key);
    if (entry && entry.staleSince === undefined && Date.now() - entry.at <= entry.maxAgeMs) return;
    const flight = this.inFlight.get(key);
    await (flight ? flight.page : this.refresh(key, maxAgeMs, loader, [])).catch(() => undefined);
  }

  private async refresh(key: string, maxAgeMs: number, loader: PageLoader, callers: (() => boolean)[]): Promise<CachedPage> {
    const generation = this.generation;
    const call: QueryCall = {
      abandoned: () => callers.length > 0 && callers.every((gone) => gone()),
      live: () => callers.some((gone) => !gone()),
    };
    const loading = loader(call).finally(() => {
      if (this.inFlight.get(key)?.page === loading) this.inFlight.delete(key);
    });
    this.inFlight.set(key, { page: loading, callers });
    const page = await loading;
    // An answer read before a publish must not be kept after it.
    if (generation === this.generation && page.result.rowCount <= this.maxRowsPerEntry) {
      this.entries.delete(key);
      this.entries.set(key, { page, at: Date.now(), maxAgeMs, loader });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return page;
  }

  /**
   * A build published: every answer is out of date. `first` (the dashboard's default views) and
   * then the answers in use, most recently used first, are read again one after the other; until
   * each is, its old answer is sent for at most a minute more.
   */
  invalidate(first: (() => Promise<void>)[] = []): void {
    this.generation += 1;
    const now = Date.now();
    for (const entry of this.entries.values()) entry.staleSince ??= now;
    this.inFlight.clear();
    const generation = this.generation;
    const recent = [...this.entries.keys()].reverse().slice(0, this.warmLimit);
    const previous = this.warming;
    this.warming = (async () => {
      // One warm-up at a time: the previous publish's stops at its next step (its generation is over).
      await previous;
      for (const warmFirst of first) {
        if (generation !== this.generation || this.closed) return;
        await warmFirst().catch(() => undefined);
      }
      for (const key of recent) {
        if (generation !== this.generation || this.closed) return;
        const entry = this.entries.get(key);
        if (entry) await this.warm(key, entry.maxAgeMs, entry.loader);
      }
    })();
  }

  /** Resolves when the warm-up started by the latest publish has read everything it meant to. */
  warmed(): Promise<void> {
    return this.warming;
  }

  /** Reads the default views now (a server that just started), in the warm-up's turn. */
  warmUp(views: (() => Promise<void>)[]): Promise<void> {
    const previous = this.warming;
    this.warming = (async () => {
      await previous;
      for (const view of views) {
        if (this.closed) return;
        await view().catch(() => undefined);
      }
    })();
    return this.warming;
  }

  /** Stops warming (the server is closing) and waits for the query under way, if any. */
  async close(): Promise<void> {
    this.closed = true;
    await this.warming;
  }
}
