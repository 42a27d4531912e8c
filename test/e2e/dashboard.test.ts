import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skeletonLocations } from '../../fixtures/skeleton-demo.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoServer(tempDir()), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('dashboard in Chromium', () => {
  it('draws one ATS bar and one total bar per demo location', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(demo.signInUrl);
    const atsBars = page.locator('sl-ats-by-location-chart g.ats-bar rect');
    await atsBars.first().waitFor();
    expect(await atsBars.count()).toBe(skeletonLocations.length);
    expect(await page.locator('sl-ats-by-location-chart g.total-bar rect').count()).toBe(skeletonLocations.length);
    const titles = await atsBars.evaluateAll((bars) => bars.map((bar) => bar.querySelector('title')?.textContent));
    expect(titles).toEqual(expect.arrayContaining([expect.stringMatching(/^East DC: \d+ units available to sell$/)]));
    expect(errors).toEqual([]);
    await page.close();
  });
});
