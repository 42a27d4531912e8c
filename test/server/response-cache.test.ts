import { describe, expect, it } from 'vitest';
import { QueryGate } from '../../server/query-gate.ts';
import { ResponseCache, type CachedPage } from '../../server/response-cache.ts';

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
    const loader = async (abandoned: () => boolean) => {
      seen = abandoned;
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
    const skipped = gate.run(async () => void order.push('skipped'), () => true);
    const third = gate.run(async () => void order.push('third'));
    release();
    await first;
    await expect(skipped).rejects.toThrow('the client went away before its query ran');
    await third;
    expect(order).toEqual(['first', 'third']);
  });
});
