import { describe, expect, it } from 'vitest';
import { apiRows } from '../helpers/api-rows.ts';
import { dashboardSuite } from '../helpers/dashboard-suite.ts';
import type { DashboardTab } from '../helpers/dashboard-tab.ts';

const { api, withTab } = dashboardSuite('rows');

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Which figures of the rows page each tile must equal: the row count or a sum. Hidden units are a
 * week's average: its rows are SKU-locations, and their count and unit-hours are what the average
 * is made of (the tile's value is the unit-hours over the week's hours, checked against the mart).
 */
const tileFigures: Record<string, { figure: string; of: string }[]> = {
  ats_share: [{ figure: 'ats_share', of: 'ats_share' }],
  mismatch_rate: [{ figure: 'rows', of: 'mismatched' }],
  oversell_lines: [{ figure: 'rows', of: 'oversell_lines' }],
  stock_cancellations: [{ figure: 'rows', of: 'stock_cancellations' }],
  lost_revenue: [{ figure: 'revenue', of: 'lost_revenue' }],
  hidden_units: [
    { figure: 'rows', of: 'hidden_sku_locations' },
    { figure: 'unit_hours', of: 'hidden_unit_hours' },
  ],
};

async function weeksCountingEverything(location: string): Promise<Record<string, unknown>[]> {
  // A complete week: its Sunday before the last day with data.
  const lastDay = String((await (await api('/api/filters')).json() as { max_date: string }).max_date).slice(0, 10);
  return (await apiRows(api, `/api/weekly-health?location=${location}&limit=100000`)).rows
    .filter((w) => Object.values(tileFigures).flat().every(({ of }) => Number(w[of]) > 0) && addDays(String(w.week).slice(0, 10), 6) <= lastDay)
    .sort((a, b) => String(a.week).localeCompare(String(b.week)));
}

/**
 * Opens every linked tile of a page in turn and holds the listed rows against the tile's week in
 * the mart. The page is filtered to end at the latest complete week where every tile counts
 * something, so no comparison is zero against zero.
 */
async function checkTiles(tab: DashboardTab, base: string, pageTag: string, location: string): Promise<void> {
  const { page, open, drawn } = tab;
  const counted = await weeksCountingEverything(location);
  expect(counted.length, `a complete week at ${location} where every tile counts something`).toBeGreaterThan(0);
  const route = `${base}?to=${addDays(String(counted.at(-1)!.week).slice(0, 10), 6)}`;
  await open(route, pageTag);
  const shownWeek = await page.locator(`${pageTag} .kpis`).getAttribute('aria-label');
  const weeks = (await apiRows(api, `/api/weekly-health?location=${location}&limit=100000`)).rows;
  const week = weeks.find((w) => `Week of ${new Date(String(w.week)).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })}` === shownWeek)!;
  expect(week, `the tiles' week ${shownWeek}`).toBeDefined();
  const links = await page.locator(`${pageTag} sl-kpi-tile .value a`).count();
  expect(links).toBe(Object.keys(tileFigures).length);
  for (const [kpi, figures] of Object.entries(tileFigures)) {
    await open(route, pageTag);
    const tile = page.locator(`${pageTag} sl-kpi-tile[data-kpi="${kpi}"]`);
    expect(Number(await tile.locator('.value').getAttribute('data-value')), kpi).toBeCloseTo(Number(week[kpi]), 9);
    await tile.locator('.value a').click();
    await drawn('sl-rows-page');
    expect(new URL(page.url()).hash).toMatch(/^#\/rows\//);
    for (const { figure, of } of figures) {
      const listed = Number(await page.locator(`sl-rows-page [data-figure="${figure}"]`).getAttribute('data-value'));
      expect(listed, `${kpi}: ${figure} of the rows against ${of} of the week ${week.week} at ${location}`).toBeCloseTo(Number(week[of]), 6);
    }
    // As many table rows as the count says (the page shows the first hundred).
    const rows = await page.locator('sl-rows-page sl-data-table[data-table="rows"] tbody tr').count();
    const count = Number(await page.locator('sl-rows-page [data-figure="rows"]').getAttribute('data-value'));
    expect(rows).toBe(Math.min(count, 100));
  }
}

describe('every tile opens the rows it counts', () => {
  it('on Weekly health, every location: the rows count or sum to the tile', () => withTab((tab) => checkTiles(tab, 'weekly', 'sl-weekly-health-page', 'ALL')));

  it("on a location's page: the rows count or sum to its tile", () =>
    withTab(async (tab) => {
      let chosen: string | undefined;
      for (const { location_id } of (await apiRows(api, '/api/warehouses')).rows) {
        if ((await weeksCountingEverything(String(location_id))).length > 0) {
          chosen = String(location_id);
          break;
        }
      }
      expect(chosen, 'a location with a week where every tile counts something').toBeDefined();
      await checkTiles(tab, `warehouses/${chosen}`, 'sl-location-page', chosen!);
    }));

  it('downloads the listed rows as CSV through the API, every row of them, and reopens the list from its link', () =>
    withTab(async ({ page, open, drawn }) => {
      await open('weekly', 'sl-weekly-health-page');
      await page.locator('sl-kpi-tile[data-kpi="oversell_lines"] .value a').click();
      await drawn('sl-rows-page');
      const href = await page.locator('sl-rows-page sl-data-table a[data-download="csv"]').getAttribute('href');
      expect(href).toContain('format=csv');
      const csv = await (await api(href!)).text();
      const count = Number(await page.locator('sl-rows-page [data-figure="rows"]').getAttribute('data-value'));
      // A header and one line per row (no field of an order line holds a line break).
      expect(csv.trimEnd().split('\n')).toHaveLength(count + 1);
      expect(csv.split('\n')[0]).toContain('order_id');
      // The link reopens the same list: a fresh tab on the URL shows the same count.
      const url = page.url();
      await page.goto('about:blank');
      await page.goto(url);
      await drawn('sl-rows-page');
      expect(Number(await page.locator('sl-rows-page [data-figure="rows"]').getAttribute('data-value'))).toBe(count);
    }));
});

/** A chart mark's own figure, from the words it carries for a screen reader or a tooltip ("…: 1,234 mismatches"). */
async function markFigure(mark: import('playwright-core').Locator, pattern: RegExp): Promise<number> {
  const words = await mark.evaluate((link) => [link, ...link.querySelectorAll('[aria-label], title')].map((node) => node.getAttribute('aria-label') ?? (node.tagName === 'title' ? node.textContent : '')).join(' '));
  const match = pattern.exec(words);
  expect(match, words).not.toBeNull();
  return Number(match![1].replaceAll(',', ''));
}

const marks = [
  { route: 'warehouses', pageTag: 'sl-warehouses-page', chart: 'heatmap', mark: 'g.heat-cell a', pattern: /([\d,]+) mismatches/, figure: 'rows' },
  { route: 'warehouses', pageTag: 'sl-warehouses-page', chart: 'ranking', mark: 'g.rank-bar a', pattern: /([\d,]+) mismatches/, figure: 'rows', against: 'mismatched' },
  { route: 'warehouses', pageTag: 'sl-warehouses-page', chart: 'ranking', mark: 'g.oversell-bar a', pattern: /: ([\d,]+) oversold lines/, figure: 'rows' },
  { route: 'warehouses', pageTag: 'sl-warehouses-page', chart: 'ranking', mark: 'g.cancel-rank-bar a', pattern: /: ([\d,]+) stock-error cancellations/, figure: 'rows' },
  { route: 'weekly', pageTag: 'sl-weekly-health-page', chart: 'mismatch-rate', mark: 'g.rate-dot a', pattern: /([\d,]+) mismatches/, figure: 'rows' },
  { route: 'weekly', pageTag: 'sl-weekly-health-page', chart: 'ats-states', mark: 'g.total-dot a', pattern: /([\d,]+) units on hand/, figure: 'total_units' },
  { route: 'cancellations', pageTag: 'sl-cancellations-page', chart: 'cancellations', mark: 'g.cancel-bar a', pattern: /: ([\d,]+) lines/, figure: 'rows' },
  { route: 'cancellations', pageTag: 'sl-cancellations-page', chart: 'by-channel', mark: 'g.cancel-by-bar a', pattern: /: ([\d,]+) lines/, figure: 'rows' },
  { route: 'cancellations', pageTag: 'sl-cancellations-page', chart: 'by-location', mark: 'g.cancel-by-bar a', pattern: /: ([\d,]+) lines/, figure: 'rows' },
];

describe('every chart mark opens the rows it counts', () => {
  it('heatmap cells, ranking bars, rate points, daily totals and cancellation bars list as many rows as they show', () =>
    withTab(async ({ page, open, drawn }) => {
      const warehouses = (await apiRows(api, '/api/warehouses')).rows;
      for (const { route, pageTag, chart, mark, pattern, figure } of marks) {
        await open(route, pageTag);
        const links = page.locator(`${pageTag} sl-plot[data-chart="${chart}"] ${mark}`);
        const count = await links.count();
        expect(count, `${chart} ${mark} has links`).toBeGreaterThan(0);
        // The last mark and one from the middle: the ends of a series are where off-by-one days hide.
        for (const index of new Set([count - 1, Math.floor(count / 2)])) {
          if (index > 0) await open(route, pageTag);
          const link = links.nth(index);
          const shown = await markFigure(link, pattern);
          // From the keyboard: a bar of 0 has no area to click, and every mark must be reachable without a mouse.
          await link.focus();
          await page.keyboard.press('Enter');
          await drawn('sl-rows-page');
          const listed = Number(await page.locator(`sl-rows-page [data-figure="${figure}"]`).getAttribute('data-value'));
          expect(listed, `${chart} mark ${index}: ${await page.locator('sl-rows-page h2').textContent()}`).toBe(shown);
        }
      }
      // The ranking's mismatch bars say the server's own count.
      expect(warehouses.some((w) => Number(w.mismatched) > 0)).toBe(true);
    }));
});

describe('every chart can leave the page and be read without seeing it', () => {
  it('downloads each chart of Weekly health and Warehouses as SVG and PNG and its rows as CSV, with a sentence and a table behind it', () =>
    withTab(async ({ page, open }) => {
      for (const [route, tag] of [['weekly', 'sl-weekly-health-page'], ['warehouses', 'sl-warehouses-page']]) {
        await open(route, tag);
        const charts = page.locator(`${tag} sl-plot`);
        const count = await charts.count();
        expect(count).toBeGreaterThan(1);
        for (let index = 0; index < count; index += 1) {
          const chart = charts.nth(index);
          const name = await chart.getAttribute('data-chart');
          // A sentence with a figure in it, and the rows behind the chart as a table.
          expect(await chart.locator('figcaption.summary').textContent(), name!).toMatch(/\d/);
          await chart.locator('details summary').click();
          await chart.locator('sl-data-table[data-table="chart-rows"] tbody tr').first().waitFor();
          const tableRows = await chart.locator('sl-data-table[data-table="chart-rows"] tbody tr').count();
          expect(tableRows, name!).toBeGreaterThan(0);

          const [svg] = await Promise.all([page.waitForEvent('download'), chart.locator('[data-export="svg"]').click()]);
          expect(svg.suggestedFilename()).toBe(`${name}.svg`);
          const svgText = await (await import('node:fs/promises')).readFile((await svg.path())!, 'utf8');
          expect(svgText.startsWith('<svg')).toBe(true);
          // As many marks in the file as on the page: the file is the chart, not an empty frame.
          const marksOnPage = await chart.evaluate((plot) =>
            [...plot.shadowRoot!.querySelectorAll('figure svg')].filter((svg) => !svg.closest('[class*="swatch"], [class*="legend"]')).reduce((sum, svg) => sum + svg.querySelectorAll('rect, path, circle').length, 0),
          );
          expect((svgText.match(/<(rect|path|circle)\b/g) ?? []).length, name!).toBeGreaterThanOrEqual(marksOnPage);

          const [png] = await Promise.all([page.waitForEvent('download'), chart.locator('[data-export="png"]').click()]);
          const pngBytes = await (await import('node:fs/promises')).readFile((await png.path())!);
          expect(pngBytes.subarray(1, 4).toString('latin1'), name!).toBe('PNG');
          expect(pngBytes.length, name!).toBeGreaterThan(2000);

          const csvHref = await chart.locator('[data-export="csv"]').getAttribute('href');
          const csv = await (await api(csvHref!)).text();
          expect(csv.trimEnd().split('\n').length - 1, `${name}: CSV rows against the table's`).toBe(Number(/of the (\d+) rows/.exec((await chart.locator('details summary').textContent())!)![1]));
        }
      }
    }));
});
