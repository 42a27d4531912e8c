import { createHmac, randomUUID } from 'node:crypto';

/**
 * The traffic of a soak run against a serving process whose address may change (it is killed and
 * started again): dashboard users reading the marts, analysts sending the SQL that starves a
 * server, and a storm of webhook deliveries that must all be refused. Every answer is counted by
 * kind and status; a dashboard user's 5xx or failed request is kept with its time, so that the
 * ones inside a kill window (from the kill until the new process answers) can be told apart.
 */
export interface Target {
  url: string | undefined;
  viewerToken: string;
  analystTokens: string[];
  webhookSource: string;
}

export interface Tally {
  statuses: Map<string, number>;
  /** Dashboard answers that were a 5xx or no answer at all, with when they ended. */
  dashboardFailures: { at: number; status: number | string; path: string }[];
  requests: number;
}

/** What the dashboard asks for on its pages (with the filters it sends). */
const dashboardPaths = [
  '/api/weekly-health',
  '/api/mismatch-rate',
  '/api/warehouses',
  '/api/ats',
  '/api/sync-priority',
  '/api/cancellations',
  '/api/order-lines?limit=50',
  '/api/freshness',
  '/api/ingest/runs',
  '/api/ingest/batches?limit=50',
  '/api/filters',
  '/api/negative-on-hand',
];

/** Analysts who try to hold the server: CPU-bound cross joins, sleeps (refused), huge downloads. */
const hostileQueries = [
  'select sum(hash(a.range * b.range)) from range(200000) a, range(200000) b',
  'select sleep_ms(1000) from range(3000)',
  'select count(*) from range(100000000) a where hash(a.range) % 7 = 3',
  "select '127.0.0.1'::inet",
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function count(tally: Tally, key: string): void {
  tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
  tally.requests += 1;
}

/** Starts the traffic; the returned function stops it and resolves once every loop has ended. */
export function startLoad(target: Target, options: { users: number; analysts: number; stormPerSecond: number }, tally: Tally): () => Promise<void> {
  let running = true;
  const loops: Promise<void>[] = [];
  const timed = async (path: string, init: RequestInit, timeoutMs: number): Promise<number | string> => {
    if (!target.url) return 'down';
    try {
      const response = await fetch(`${target.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
    }
  };

  for (let user = 0; user < options.users; user++) {
    loops.push(
      (async () => {
        for (let step = user; running; step++) {
          const path = dashboardPaths[step % dashboardPaths.length];
          const status = await timed(path, { headers: { authorization: `Bearer ${target.viewerToken}` } }, 30_000);
          count(tally, `dashboard ${status}`);
          if (typeof status !== 'number' || status >= 500) tally.dashboardFailures.push({ at: Date.now(), status, path });
          // A person reads a page before the next one.
          await sleep(500 + Math.random() * 1500);
        }
      })(),
    );
  }
  for (let analyst = 0; analyst < options.analysts; analyst++) {
    loops.push(
      (async () => {
        for (let step = analyst; running; step++) {
          const body = JSON.stringify({ sql: hostileQueries[step % hostileQueries.length] });
          const status = await timed('/api/sql', { method: 'POST', headers: { authorization: `Bearer ${target.analystTokens[analyst]}`, 'content-type': 'application/json' }, body }, 120_000);
          count(tally, `analyst ${status}`);
          if (status === 'down' || status === 'refused') await sleep(1000);
        }
      })(),
    );
  }
  loops.push(
    (async () => {
      // Deliveries that must all be refused: a bad signature, and a good one under a topic the source does not take.
      const body = JSON.stringify({ inventory_item_id: 40000000007, location_id: 655441, available: 5, updated_at: new Date().toISOString() });
      const signed = createHmac('sha256', 'soak-webhook-secret').update(body).digest('base64');
      for (let step = 0; running; step++) {
        const wrongTopic = step % 2 === 0;
        const headers = {
          'content-type': 'application/json',
          'x-shopify-topic': wrongTopic ? 'orders/create' : 'inventory_levels/update',
          'x-shopify-hmac-sha256': wrongTopic ? signed : 'bm90IGEgc2lnbmF0dXJl',
          'x-shopify-webhook-id': randomUUID(),
        };
        void timed(`/webhooks/shopify/${target.webhookSource}`, { method: 'POST', headers, body }, 10_000).then((status) => count(tally, `webhook ${status}`));
        await sleep(1000 / options.stormPerSecond);
      }
    })(),
  );
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}
