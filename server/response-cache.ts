import type { ColumnarResult } from '../db/database.ts';

export interface CachedPage {
  result: ColumnarResult;
  total: number;
}

interface Entry {
  page: CachedPage;
  at: number;
  maxAgeMs: number;
  /** When a publish made it out of date; it is still sent for a short while, never after. */
  staleSince?: number;
}

/** How long after a publish the previous build's answer may still be sent while the new one is read. */
const staleAfterPublishMs = 60_000;

/**
 * Answers of the table endpoints by URL. The marts change only when a build publishes, so an
 * answer stays right until `invalidate()` (on `martsPublished()`), and for up to a minute after it
 * is sent once more while its successor is read; tables written another way
 * (ingest ledgers, run history) give their endpoints a short `maxAgeMs`. Concurrent requests for
 * the same URL share one query, so fifty dashboards opening at once cost one DuckDB query; an
 * answer past its age is still sent while the next one is read (stale-while-revalidate).
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, { page: Promise<CachedPage>; callers: (() => boolean)[] }>();
  private generation = 0;

  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxRowsPerEntry = 20_000,
  ) {}

  /**
   * The answer for `key`, from the cache or from `loader`. `gone` tells whether this caller has
   * left; the loader's `abandoned()` is true only when every caller waiting on it has.
   */
  async load(key: string, maxAgeMs: number, loader: (abandoned: () => boolean) => Promise<CachedPage>, gone: () => boolean = () => false): Promise<CachedPage> {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && (entry.staleSince === undefined || now - entry.staleSince < staleAfterPublishMs)) {
      // Re-insert so that Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      // Past its age, or published over, an answer is still sent while a fresh one is read for the
      // next request: a build's publish does not turn into a burst of queries that all wait.
      const outdated = entry.staleSince !== undefined || now - entry.at > entry.maxAgeMs;
      if (outdated && !this.inFlight.has(key)) void this.refresh(key, maxAgeMs, loader, []).catch(() => undefined);
      return entry.page;
    }
    const flight = this.inFlight.get(key);
    if (flight) {
      flight.callers.push(gone);
      return flight.page;
    }
    return this.refresh(key, maxAgeMs, loader, [gone]);
  }

  private async refresh(key: string, maxAgeMs: number, loader: (abandoned: () => boolean) => Promise<CachedPage>, callers: (() => boolean)[]): Promise<CachedPage> {
    const generation = this.generation;
    const abandoned = () => callers.length > 0 && callers.every((gone) => gone());
    const loading = loader(abandoned).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { page: loading, callers });
    const page = await loading;
    // An answer read before a publish must not be kept after it.
    if (generation === this.generation && page.result.rowCount <= this.maxRowsPerEntry) {
      this.entries.set(key, { page, at: Date.now(), maxAgeMs });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return page;
  }

  /** A build published: every answer is out of date (sent for at most a minute more while re-read). */
  invalidate(): void {
    this.generation += 1;
    const now = Date.now();
    for (const entry of this.entries.values()) entry.staleSince ??= now;
    this.inFlight.clear();
  }
}
