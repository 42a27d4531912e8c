import { describe, expect, it } from 'vitest';
import { QueryGate, type QueryCall } from '../../server/query-gate.ts';
import { ResponseCache, type CachedPage } from '../../server/response-cache.ts';
import { cacheKey } from '../../server/table-endpoint.ts';

const page = (total: number): CachedPage => ({ result: { names: ['n'], types: ['INTEGER'], columns: [[total]], rowCount: 1 }, total });

describe('the answer cache', () => {
  it('runs one query for concurrent requests of the same answer, and none for later ones', async () => {
    const cache = new ResponseCache();
    let calls = 0;
    let release!: () => void;
    const loader = async () => {
      calls += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return page(7);
    };
    const waiting = [cache.load('/a', Infinity, loader), cache.load('/a', Infinity, loader), cache.load('/a', Infinity, loader)];
    release();
    expect((await Promise.all(waiting)).map((answer) => answer.total)).toEqual([7, 7, 7]);
    expect((await cache.load('/a', Infinity, loader)).total).toBe(7);
    expect(calls).toBe(1);
  });

  it('forgets answers on invalidate, and drops an answer read across one', async () => {
    const cache = new ResponseCache();
    let value = 1;
    let release!: () => void;
    const slow = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return page(value);
    };
    const before = cache.load('/b', Infinity, slow);
    cache.invalidate();
    value = 2;
    release();
    expect((await before).total).toBe(2);
    expect((await cache.load('/b', Infinity, async () => page(3))).total).toBe(3);
  });

  it('sends the previous answer once more after a publish while it reads the new one', async () => {
    const cache = new ResponseCache();
    await cache.load('/d', Infinity, async () => page(1));
    cache.invalidate();
    let release!: () => void;
    const next = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return page(2);
    };
    expect((await cache.load('/d', Infinity, next)).total).toBe(1);
    release();
    await expect.poll(async () => (await cache.load('/d', Infinity, async () => page(3))).total).toBe(2);
  });

  it('calls a query abandoned only when every caller waiting on it has gone', async () => {
    const cache = new ResponseCache();
    const gone = [false, false];
    let seen!: () => boolean;
    let release!: () => void;
    const loader = async (call: QueryCall) => {
      seen = call.abandoned;
      await new Promise<void>((resolve) => (release = resolve));
      return page(1);
    };
    const first = cache.load('/c', Infinity, loader, () => gone[0]);
    const second = cache.load('/c', Infinity, loader, () => gone[1]);
    gone[0] = true;
    expect(seen()).toBe(false);
    gone[1] = true;
    expect(seen()).toBe(true);
    release();
    await Promise.all([first, second]);
  });

  it('reads the answers in use again after a publish, the given views first and then the most recent, and sends the new ones', async () => {
    const cache = new ResponseCache();
    let build = 1;
    const read: string[] = [];
    const loader = (key: string) => async () => {
      read.push(key);
      return page(build * 10 + Number(key.slice(1)));
    };
    for (const key of ['/1', '/2', '/3']) await cache.load(key, Infinity, loader(key));
    await cache.load('/1', Infinity, loader('/1'));
    read.length = 0;
    build = 2;
    cache.invalidate([() => cache.warm('/9', Infinity, loader('/9'))]);
    await cache.warmed();
    expect(read).toEqual(['/9', '/1', '/3', '/2']);
    build = 3;
    const unused = async () => page(-1);
    expect(await Promise.all(['/1', '/2', '/3', '/9'].map(async (key) => (await cache.load(key, Infinity, unused)).total))).toEqual([21, 22, 23, 29]);
  });

  it('stops a warm-up when another publish starts the next one, which reads the newest build', async () => {
    const cache = new ResponseCache();
    let build = 1;
    const reads: number[] = [];
    let release!: () => void;
    const held = async () => {
      reads.push(build);
      if (build === 2) await new Promise<void>((resolve) => (release = resolve));
      return page(build);
    };
    await cache.load('/a', Infinity, held);
    await cache.load('/b', Infinity, async () => page(build));
    build = 2;
    cache.invalidate();
    await expect.poll(() => release).toBeDefined();
    build = 3;
    cache.invalidate();
    release();
    await cache.warmed();
    expect((await cache.load('/a', Infinity, async () => page(-1))).total).toBe(3);
    expect((await cache.load('/b', Infinity, async () => page(-1))).total).toBe(3);
    // The first warm-up read /a once for build 2 and stopped; the second read it for build 3.
    expect(reads).toEqual([1, 2, 3]);
  });

  it('keys JSON, CSV and Arrow requests and any parameter order to one answer', () => {
    expect(cacheKey('/api/x', { limit: 10, format: 'arrow', a: ['1', '2'] })).toBe(cacheKey('/api/x', { a: ['1', '2'], format: 'json', limit: 10 }));
    expect(cacheKey('/api/x', { a: ['1', '2'] })).not.toBe(cacheKey('/api/x', { a: ['2', '1'] }));
    expect(cacheKey('/api/x', { a: undefined })).toBe(cacheKey('/api/x', {}));
  });
});

describe('the query gate', () => {
  it('runs at most its limit at once and skips a query whose caller left while it waited', async () => {
    const gate = new QueryGate(1);
    const order: string[] = [];
    let release!: () => void;
    const first = gate.run(async () => {
      order.push('first');
      await new Promise<void>((resolve) => (release = resolve));
    });
    const skipped = gate.run(async () => void order.push('skipped'), { abandoned: () => true, live: () => false });
    const third = gate.run(async () => void order.push('third'));
    release();
    await first;
    await expect(skipped).rejects.toThrow('the client went away before its query ran');
    await third;
    expect(order).toEqual(['first', 'third']);
  });

  it('runs live queries before background ones, and at most one background query at a time', async () => {
    const gate = new QueryGate(2, 1);
    const background: QueryCall = { abandoned: () => false, live: () => false };
    const order: string[] = [];
    const releases: Record<string, () => void> = {};
    const job = (name: string) => async () => {
      order.push(name);
      await new Promise<void>((resolve) => (releases[name] = resolve));
    };
    const runs = [gate.run(job('warm-1'), background), gate.run(job('warm-2'), background), gate.run(job('live-1')), gate.run(job('live-2'))];
    await expect.poll(() => order).toEqual(['warm-1', 'live-1']);
    releases['warm-1']();
    // The freed slot goes to the waiting live query, not to the next warm-up.
    await expect.poll(() => order).toEqual(['warm-1', 'live-1', 'live-2']);
    releases['live-1']();
    await expect.poll(() => order).toEqual(['warm-1', 'live-1', 'live-2', 'warm-2']);
    releases['live-2']();
    releases['warm-2']();
    await Promise.all(runs);
  });

  it('runs a background query as live once someone waits for it', async () => {
    const gate = new QueryGate(2, 1);
    const order: string[] = [];
    let waiting = false;
    const releases: Record<string, () => void> = {};
    const job = (name: string) => async () => {
      order.push(name);
      await new Promise<void>((resolve) => (releases[name] = resolve));
    };
    const first = gate.run(job('warm-1'), { abandoned: () => false, live: () => false });
    const second = gate.run(job('warm-2'), { abandoned: () => false, live: () => waiting });
    await expect.poll(() => order).toEqual(['warm-1']);
    waiting = true;
    gate.dispatch();
    await expect.poll(() => order).toEqual(['warm-1', 'warm-2']);
    releases['warm-1']();
    releases['warm-2']();
    await Promise.all([first, second]);
  });
});
