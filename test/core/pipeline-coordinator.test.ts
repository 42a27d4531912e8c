import { afterAll, describe, expect, it } from 'vitest';
import { PipelineCoordinator } from '../../core/pipeline-coordinator.ts';
import { Database } from '../../db/database.ts';

const db = await Database.open(':memory:', { settings: { threads: '3' } });
afterAll(() => db.closeSync());

/** A step that records when it starts and ends, and ends when `release` is called. */
function step(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    run: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Waits until `log` has `count` entries (the lease's first statements take a moment), at most 5 s. */
async function logged(log: string[], count: number): Promise<void> {
  for (let waited = 0; log.length < count && waited < 5000; waited += 20) await tick();
}

describe('the pipeline coordinator', () => {
  it('runs landings of one source one after the other and of different sources side by side, with threads at 1 meanwhile', async () => {
    const coordinator = new PipelineCoordinator();
    const log: string[] = [];
    const [a1, a2, b1] = [step(log, 'a1'), step(log, 'a2'), step(log, 'b1')];
    const runs = [coordinator.landInTurn(db, 'a', a1.run), coordinator.landInTurn(db, 'a', a2.run), coordinator.landInTurn(db, 'b', b1.run)];
    await logged(log, 2);
    await tick();
    expect(log).toEqual(['a1 start', 'b1 start']);
    expect(await db.one("select current_setting('threads') as threads")).toEqual({ threads: 1 });
    a1.release();
    await logged(log, 4);
    expect(log).toEqual(['a1 start', 'b1 start', 'a1 end', 'a2 start']);
    a2.release();
    b1.release();
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'b1']);
    expect(await db.one("select current_setting('threads') as threads")).toEqual({ threads: 3 });
  });

  it('runs model runs one at a time, in the order asked, a failure not stopping the next', async () => {
    const coordinator = new PipelineCoordinator();
    const log: string[] = [];
    const [build, retry] = [step(log, 'build'), step(log, 'retry')];
    const failed = coordinator.modelRunInTurn(async () => {
      log.push('test');
      throw new Error('tests failed');
    });
    const runs = [coordinator.modelRunInTurn(build.run), coordinator.modelRunInTurn(retry.run)];
    await expect(failed).rejects.toThrow('tests failed');
    await tick();
    expect(log).toEqual(['test', 'build start']);
    build.release();
    retry.release();
    expect(await Promise.all(runs)).toEqual(['build', 'retry']);
    expect(log).toEqual(['test', 'build start', 'build end', 'retry start', 'retry end']);
  });

  it('coalesces the landings that finish during a refresh into one more refresh', async () => {
    const coordinator = new PipelineCoordinator();
    const refreshes: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const builds = coordinator.afterLandings(async (summaries) => {
      refreshes.push(summaries.map((summary) => summary.source));
      if (refreshes.length === 1) await first;
    });
    coordinator.landed({ source: 'wms' });
    coordinator.landed({ source: 'erp' });
    coordinator.landed({ source: 'shopify' });
    await tick();
    release();
    await tick();
    expect(refreshes).toEqual([['wms'], ['erp', 'shopify']]);
    await builds.stop();
    coordinator.landed({ source: 'late' });
    await tick();
    expect(refreshes).toHaveLength(2);
  });
});
