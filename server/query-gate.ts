import os from 'node:os';
import { HttpError } from './http-error.ts';

/**
 * Runs at most `limit` API queries on DuckDB at once; the rest wait their turn in order. Fifty
 * different queries at once share the same cores fifty ways and each finishes late (DuckDB
 * parallelises one query over every core already), so a short queue answers sooner on average.
 */
export class QueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit = Math.max(2, os.availableParallelism())) {}

  /** Runs `fn` in turn; when `abandoned()` says its caller left while it waited, it is skipped. */
  async run<T>(fn: () => Promise<T>, abandoned: () => boolean = () => false): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (abandoned()) {
      // An overloaded server must not spend its turns on answers nobody waits for any more.
      this.waiting.shift()?.();
      throw new HttpError(503, 'the client went away before its query ran');
    }
    this.running += 1;
    try {
      return await fn();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
