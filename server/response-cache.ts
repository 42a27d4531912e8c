import type { ColumnarResult } from '../db/database.ts';

export interface CachedPage {
  result: ColumnarResult;
  total: number;
}

interface Entry {
  page: CachedPage;
  at: number;
  maxAgeMs: number;
}

/**
 * Answers of the table endpoints by URL. The marts change only when a build publishes, so an
 * answer stays right until `invalidate()` (on `martsPublished()`); tables written another way
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
    if (entry) {
      // Re-insert so that Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      // Past its age an answer is still sent while a fresh one is read for the next request.
      if (Date.now() - entry.at > entry.maxAgeMs && !this.inFlight.has(key)) void this.refresh(key, maxAgeMs, loader, []).catch(() => undefined);
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

  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
    this.inFlight.clear();
  }
}
