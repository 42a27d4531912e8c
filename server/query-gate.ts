import os from 'node:os';
import { HttpError } from './http-error.ts';

/** Who waits on a query: a person (live), or nobody yet (a cache warming or refreshing itself). */
export interface QueryCall {
  /** True once every caller waiting on the query has gone: it is skipped if it has not started. */
  abandoned(): boolean;
  /** True while someone waits on the answer; asked again each time a slot frees. */
  live(): boolean;
}

interface Waiter {
  call: QueryCall;
  start: (background: boolean) => void;
}

const liveCall: QueryCall = { abandoned: () => false, live: () => true };

/**
 * Runs at most `limit` API queries on DuckDB at once; the rest wait their turn in order. Fifty
 * different queries at once share the same cores fifty ways and each finishes late (DuckDB
 * parallelises one query over every core already), so a short queue answers sooner on average.
 * Queries nobody waits for (re-reading cached answers after a publish) go after every live one and
 * take at most `backgroundLimit` slots, so a person's cache miss never queues behind a warm-up.
 */
export class QueryGate {
  private running = 0;
  private runningBackground = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    /** Queries running at once at most. */
    readonly limit = Math.max(2, os.availableParallelism()),
    private readonly backgroundLimit = 1,
  ) {}

  /** Runs `fn` in turn; when `call.abandoned()` says its callers left while it waited, it is skipped. */
  async run<T>(fn: () => Promise<T>, call: QueryCall = liveCall): Promise<T> {
    const background = this.startNow(call) ?? (await new Promise<boolean>((start) => this.waiting.push({ call, start })));
    try {
      // An overloaded server must not spend its turns on answers nobody waits for any more.
      if (call.abandoned()) throw new HttpError(503, 'the client went away before its query ran');
      return await fn();
    } finally {
      this.running -= 1;
      if (background) this.runningBackground -= 1;
      this.dispatch();
    }
  }

  /** Takes a slot for `call` when it may run at once: whether it runs in the background, or undefined. */
  private startNow(call: QueryCall): boolean | undefined {
    if (this.running >= this.limit) return undefined;
    const background = !call.live() && !call.abandoned();
    // Live queries keep their order among themselves; a background one goes after every waiter.
    if (background ? this.runningBackground >= this.backgroundLimit || this.waiting.length > 0 : this.waiting.some((waiter) => waiter.call.live())) return undefined;
    this.running += 1;
    if (background) this.runningBackground += 1;
    return background;
  }

  /** Starts what may start now; callers whose query gained a live waiter call it too. */
  dispatch(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      let index = this.waiting.findIndex((waiter) => waiter.call.live() || waiter.call.abandoned());
      if (index < 0 && this.runningBackground < this.backgroundLimit) index = 0;
      if (index < 0) return;
      const [waiter] = this.waiting.splice(index, 1);
      const background = !waiter.call.live() && !waiter.call.abandoned();
      this.running += 1;
      if (background) this.runningBackground += 1;
      waiter.start(background);
    }
  }
}
