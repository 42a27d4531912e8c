import os from 'node:os';

/**
 * Runs at most `limit` API queries on DuckDB at once; the rest wait their turn in order. Fifty
 * different queries at once share the same cores fifty ways and each finishes late (DuckDB
 * parallelises one query over every core already), so a short queue answers sooner on average.
 */
export class QueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit = Math.max(2, os.availableParallelism())) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await fn();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
