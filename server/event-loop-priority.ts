import { readdirSync } from 'node:fs';
import os from 'node:os';
import { logger } from '../core/logger.ts';

/** How much lower the other threads run than the event loop (nice +10: about a tenth of its CPU share). */
const threadNiceness = 10;

/**
 * Keeps the event loop ahead of DuckDB on a busy machine. A build runs DuckDB on every core (its
 * threads and the libuv pool's, which run every query), and DuckDB has no per-connection thread
 * limit, so the thread that answers HTTP from the cache would get a sliver of a core and every
 * answer would wait behind the build. On Linux each thread has its own nice value: this lowers
 * the priority of every thread of the process but the event loop's, again every few seconds for
 * threads started since. The queries lose nothing while the event loop is idle; when it has work
 * it runs first. Elsewhere it does nothing. Returns a function that stops re-applying it.
 */
export function keepEventLoopAhead(everyMs = 5_000): () => void {
  if (process.platform !== 'linux') return () => undefined;
  let warned = false;
  const apply = () => {
    let threads: string[];
    try {
      threads = readdirSync('/proc/self/task');
    } catch {
      return;
    }
    for (const name of threads) {
      // The main thread's id is the process id: it runs the event loop and keeps its priority.
      const tid = Number(name);
      if (tid === process.pid) continue;
      try {
        if (os.getPriority(tid) < threadNiceness) os.setPriority(tid, threadNiceness);
      } catch (error) {
        // A thread that ended meanwhile, or a system that forbids it: the server works as before.
        if (!warned && (error as NodeJS.ErrnoException).code !== 'ESRCH') {
          warned = true;
          logger.warn({ err: error }, 'could not lower the priority of the query threads');
        }
      }
    }
  };
  apply();
  const timer = setInterval(apply, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
