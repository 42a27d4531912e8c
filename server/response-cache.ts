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
 * the same URL share one query, so fifty dashboards opening at once cost one DuckDB query.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<CachedPage>>();
  private generation = 0;

  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxRowsPerEntry = 20_000,
  ) {}

  async load(key: string, maxAgeMs: number, loader: () => Promise<CachedPage>): Promise<CachedPage> {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at <= entry.maxAgeMs) {
      // Re-insert so that Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.page;
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const loading = loader().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
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
