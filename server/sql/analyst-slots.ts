import { HttpError } from '../http-error.ts';

interface Waiter {
  user: string;
  start: () => void;
  gone: () => boolean;
}

/**
 * How many analyst queries run at once: at most `perUser` for one token (a further one is refused
 * with 429 at once, it is that user's own queue to manage) and at most `global` for the whole
 * server (a further one waits its turn in order, and leaves the line when its client goes away).
 * An analyst query then still takes a slot of the API's query gate like any other query; `global`
 * is kept below the gate's size, so the dashboard always has a slot that no analyst can take.
 */
export class AnalystSlots {
  private running = 0;
  private readonly perUserRunning = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly global: number,
    readonly perUser: number,
  ) {}

  /** Runs `fn` once a slot is free; `gone()` says the client left (the wait is dropped). */
  async run<T>(user: string, fn: () => Promise<T>, gone: () => boolean = () => false): Promise<T> {
    // Counts this user's queries running and waiting.
    const mine = this.perUserRunning.get(user) ?? 0;
    if (mine >= this.perUser) {
      throw new HttpError(
        429,
        `you already have ${mine} analyst ${mine === 1 ? 'query' : 'queries'} running (server.sql_concurrency_per_user is ${this.perUser}): wait for it to finish, or cancel it`,
        { 'Retry-After': '5' },
      );
    }
    this.perUserRunning.set(user, mine + 1);
    try {
      if (this.running >= this.global || this.waiting.length > 0) {
        await new Promise<void>((start) => this.waiting.push({ user, start, gone }));
      } else this.running += 1;
      try {
        if (gone()) throw new HttpError(503, 'the client went away before its query ran');
        return await fn();
      } finally {
        this.running -= 1;
        this.dispatch();
      }
    } finally {
      const left = (this.perUserRunning.get(user) ?? 1) - 1;
      if (left > 0) this.perUserRunning.set(user, left);
      else this.perUserRunning.delete(user);
    }
  }

  private dispatch(): void {
    while (this.running < this.global && this.waiting.length > 0) {
      const waiter = this.waiting.shift()!;
      this.running += 1;
      waiter.start();
    }
  }
}
