import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts, latestCapture } from '../../alerts/index.ts';
import { openMismatchInstant } from '../helpers/alert-instant.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { apiRows } from '../helpers/api-rows.ts';
import { openDashboard, type DashboardTab } from '../helpers/dashboard-tab.ts';
import { layoutProblems } from './layout-check.ts';

/**
 * Every page at a phone's, a tablet's, a laptop's and a wide screen's width, on three weeks of the
 * demo, on its first day only, filtered to one location, and on a business that has landed nothing
 * yet. `STOCKLENS_SCREENSHOTS=1` also saves each page at 390 and 1920 px under docs/screenshots/.
 */
const widths = [390, 800, 1280, 1920];
const screenshotWidths = new Set([390, 1920]);
const screenshotDir = path.resolve('docs/screenshots');
const saveScreenshots = process.env.STOCKLENS_SCREENSHOTS === '1';

interface Dataset {
  name: string;
  server: DemoServer;
  tab?: DashboardTab;
  routes: { route: string; tag: string; name: string }[];
}

let dir: string;
let browser: Browser;
const datasets: Dataset[] = [];

async function routesOf(server: DemoServer, location?: string): Promise<Dataset['routes']> {
  const api = (p: string) => server.api(p);
  const someLocation = location ?? String((await apiRows(api, '/api/warehouses')).rows[0]?.location_id ?? server.config.locations[0].id);
  const sku = String((await apiRows(api, '/api/mismatch?limit=1')).rows[0]?.sku ?? (await apiRows(api, '/api/order-lines?limit=1')).rows[0]?.sku ?? 'SKU-00001');
  const filter = location ? `location=${encodeURIComponent(location)}` : '';
  const and = (query: string) => [query, filter].filter(Boolean).join('&');
  const routes = [
    { route: `weekly?${filter}`, tag: 'sl-weekly-health-page', name: 'weekly' },
    { route: location ? `warehouses/${encodeURIComponent(location)}` : 'warehouses', tag: location ? 'sl-location-page' : 'sl-warehouses-page', name: 'warehouses' },
    { route: `warehouses/${encodeURIComponent(someLocation)}`, tag: 'sl-location-page', name: 'location' },
    { route: `sku?${and(`sku=${encodeURIComponent(sku)}`)}`, tag: 'sl-sku-page', name: 'sku' },
    { route: 'sync', tag: 'sl-sync-priority-page', name: 'sync' },
    { route: `cancellations?${filter}`, tag: 'sl-cancellations-page', name: 'cancellations' },
    { route: `alerts?${filter}`, tag: 'sl-alerts-page', name: 'alerts' },
    { route: 'data-health', tag: 'sl-data-health-page', name: 'data-health' },
    { route: 'sql', tag: 'sl-sql-console-page', name: 'sql' },
    { route: `rows/order-lines?${and('status=cancelled&stock_cause=confirmed,inferred&at=cancelled')}`, tag: 'sl-rows-page', name: 'rows' },
  ];
  return location ? routes.filter((r) => !['location', 'sync', 'data-health', 'sql'].includes(r.name)) : routes;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-layout-'));
  browser = await launchBrowser();
  // One at a time: the machine's two cores build one demo faster alone than three side by side.
  const demo = await startDemoServer(path.join(dir, 'demo'));
  const oneDay = await startDemoServer(path.join(dir, 'one-day'), { days: 1 });
  const empty = await startDemoServer(path.join(dir, 'empty'), { empty: true });
  // The alerts page as a lead finds it: the rules evaluated when some SKU's mismatch was open long
  // enough to alert on (the widest table of the page), else as of the data's latest capture.
  for (const { config, db } of [demo, oneDay]) {
    const evaluation = await evaluateAlerts(config, db, { now: (await openMismatchInstant(db)) ?? (await latestCapture(db))! });
    expect(evaluation.errors).toEqual([]);
  }
  const location = String((await apiRows((p) => demo.api(p), '/api/warehouses')).rows[0].location_id);
  datasets.push(
    { name: 'demo', server: demo, routes: await routesOf(demo) },
    { name: 'one-day', server: oneDay, routes: await routesOf(oneDay) },
    { name: 'one-location', server: demo, routes: await routesOf(demo, location) },
    { name: 'empty', server: empty, routes: await routesOf(empty) },
  );
  if (saveScreenshots) mkdirSync(screenshotDir, { recursive: true });
}, 600_000);

afterAll(async () => {
  for (const dataset of datasets) await dataset.tab?.close();
  await browser?.close();
  for (const server of new Set(datasets.map((d) => d.server))) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until every chart has been drawn for the width it has now (a resize redraws them). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const plots: Element[] = [];
    const collect = (root: ParentNode) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.tagName === 'SL-PLOT') plots.push(element);
        if (element.shadowRoot) collect(element.shadowRoot);
      }
    };
    collect(document);
    return plots.every((plot) => {
      const drawn = Number((plot as HTMLElement).dataset.drawn ?? 0);
      const width = Math.floor(plot.getBoundingClientRect().width);
      return width === 0 || Math.abs(drawn - width) <= 8 || !plot.shadowRoot?.querySelector('figure');
    });
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

describe('layout', () => {
  for (const name of ['demo', 'one-day', 'one-location', 'empty']) {
    it(`holds on every page at ${widths.join(', ')} px: ${name}`, async () => {
      const dataset = datasets.find((d) => d.name === name)!;
      dataset.tab ??= await openDashboard(browser, dataset.server.server.url, dataset.server.token, { width: widths[0], height: 900 });
      const { page } = dataset.tab;
      const problems: string[] = [];
      for (const width of widths) {
        await page.setViewportSize({ width, height: 900 });
        for (const { route, tag, name: pageName } of dataset.routes) {
          await dataset.tab.open(route, tag);
          await settled(page);
          for (const problem of await layoutProblems(page)) problems.push(`${pageName} at ${width} px: ${problem}`);
          // No page scrolls sideways: what does not fit scrolls inside its own card.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) problems.push(`${pageName} at ${width} px: the page scrolls sideways by ${overflow} px`);
          if (saveScreenshots && screenshotWidths.has(width) && (name === 'demo' || name === 'one-day')) {
            await page.screenshot({ path: path.join(screenshotDir, `${name}-${pageName}-${width}.png`), fullPage: true });
          }
        }
      }
      expect(problems).toEqual([]);
      expect(dataset.tab.errors).toEqual([]);
    }, 600_000);
  }
});
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('accessibility', () => {
  for (const name of ['demo', 'one-day', 'empty']) {
    it(`passes axe-core's WCAG A and AA rules on every page: ${name}`, async () => {
      const dataset = datasets.find((d) => d.name === name)!;
      dataset.tab ??= await openDashboard(browser, dataset.server.server.url, dataset.server.token);
      const { page } = dataset.tab;
      await page.setViewportSize({ width: 1280, height: 900 });
      const violations: string[] = [];
      for (const { route, tag, name: pageName } of dataset.routes) {
        await dataset.tab.open(route, tag);
        await settled(page);
        // Evaluated, not added as a script tag: the dashboard's CSP allows only its own scripts.
        if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
        const found = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
          const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
          return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}×, e.g. ${JSON.stringify(v.nodes[0]?.target)})`);
        });
        violations.push(...found.map((v) => `${pageName}: ${v}`));
      }
      expect(violations).toEqual([]);
    }, 300_000);
  }
});
