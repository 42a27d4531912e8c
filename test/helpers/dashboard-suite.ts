import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.ts';
import { openDashboard, type DashboardTab } from './dashboard-tab.ts';
import { demoBuildTimeoutMs, startDemoServer, type DemoOptions, type DemoServer } from './demo-server.ts';

export interface DashboardSuite {
  /** The served demo (set once `beforeAll` has run). */
  readonly demo: DemoServer;
  readonly browser: Browser;
  /** `fetch` on the demo with the admin token. */
  api(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /**
   * Runs a test in a fresh tab signed in with the admin token (or `token`), fails it on any script
   * error the page logged, and closes the tab whatever happened.
   */
  withTab(test: (tab: DashboardTab) => Promise<void>, options?: { token?: string; viewport?: { width: number; height: number } }): Promise<void>;
}

/**
 * The set-up every browser test file shares: the demo served from its own copy in a temporary
 * folder and Chromium, started in `beforeAll` and closed in `afterAll` of the calling file.
 */
export function dashboardSuite(name: string, options: DemoOptions = {}): DashboardSuite {
  let dir: string | undefined;
  let demo: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), `stocklens-${name}-`));
    [demo, browser] = await Promise.all([startDemoServer(dir, options), launchBrowser()]);
  }, demoBuildTimeoutMs);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${name} suite's demo and browser are not started: use them inside a test or a later beforeAll`);
    return value;
  };
  return {
    get demo() {
      return started(demo);
    },
    get browser() {
      return started(browser);
    },
    api: (pathAndQuery, init) => started(demo).api(pathAndQuery, init),
    async withTab(test, { token, viewport } = {}) {
      const served = started(demo);
      const tab = await openDashboard(started(browser), served.server.url, token ?? served.token, viewport);
      try {
        await test(tab);
        expect(tab.errors).toEqual([]);
      } finally {
        await tab.close();
      }
    },
  };
}
