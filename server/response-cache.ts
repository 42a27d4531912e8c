import type { ColumnarResult } from '../db/database.ts';

interface Entry {
  result: ColumnarResult;
  total: number;
  at: number;
}

/**
 * Answers of the table endpoints by URL. The marts change only when a build publishes, so an
 * answer stays right until `invalidate()` (called by `publishExports`); `maxAgeMs` bounds it
 * anyway, for data written another way (ingest ledgers, run history).
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxAgeMs = 10_000,
    private readonly maxEntries = 500,
    private readonly maxRowsPerEntry = 20_000,
  ) {}

  get(key: string): { result: ColumnarResult; total: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.at > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert so that Map order is least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, value: { result: ColumnarResult; total: number }): void {
    if (value.result.rowCount > this.maxRowsPerEntry) return;
    this.entries.set(key, { ...value, at: Date.now() });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  invalidate(): void {
    this.entries.clear();
  }
}
