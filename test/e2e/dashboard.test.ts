import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest/run-ingest.ts';
import { buildModels } from '../../models/runner/build.ts';
import { needsFasterSyncCount, recommendedSync } from '../../core/sync-advice.ts';
import { formatDay, formatPercent } from '../../dashboard/src/data/format.ts';
import { apiRows } from '../helpers/api-rows.ts';
import { dashboardSuite } from '../helpers/dashboard-suite.ts';

const suite = dashboardSuite('e2e');
const { api, withTab } = suite;

async function sqlRows(query: string): Promise<Record<string, unknown>[]> {
  const response = await suite.api('/api/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: query }) });
  const body = (await response.json()) as { columns: string[]; rows: unknown[][] };
  return body.rows.map((row) => Object.fromEntries(body.columns.map((name, index) => [name, row[index]])));
}


/** A tile shows the API's figure, or nothing when the API has none (no comparisons, no previous week). */
async function expectTile(tile: Locator, expected: unknown, label: string): Promise<void> {
  const shown = await tile.locator('.value').getAttribute('data-value');
  if (expected === null || expected === undefined) expect(shown, label).toBe('');
  else expect(Number(shown), label).toBeCloseTo(Number(expected), 6);
  // A change called better or worse never reads as no change at all.
  const change = await tile.locator('.change').textContent();
  if (/better|worse/.test(change ?? '')) expect(change, label).not.toMatch(/(^|[^<\d.])0(\.0+)?( pts|%)?\s·/);
}

const byWeek = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.week).localeCompare(String(b.week));
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The week the tiles must show: the latest whose Sunday has stock figures (a week in progress is not compared). */
async function tileWeek(location: string): Promise<Record<string, unknown>> {
  const weeks = (await apiRows(api, `/api/weekly-health?location=${encodeURIComponent(location)}&limit=100000`)).rows.sort(byWeek);
  const days = (await apiRows(api, `/api/ats-daily?limit=100000${location === 'ALL' ? '' : `&location=${encodeURIComponent(location)}`}`)).rows.map((r) => String(r.day).slice(0, 10)).sort();
  const complete = weeks.filter((w) => addDays(String(w.week).slice(0, 10), 6) <= days.at(-1)!);
  return complete.at(-1) ?? weeks.at(-1)!;
}

/** Answers the server read from DuckDB on request (not warmed, not cached), from its /metrics. */
async function cacheMisses(): Promise<number> {
  const text = await (await suite.api('/metrics')).text();
  return Number(/^stocklens_api_cache_lookups_total\{outcome="miss"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('weekly health', () => {
  it('shows the latest week of /api/weekly-health in the tiles and draws the stock states and mismatch rates', () =>
    withTab(async ({ page, open }) => {
      const latest = await tileWeek('ALL');
      // The server read the page's answers when it started: opening it asks DuckDB nothing.
      await suite.demo.server.warmed();
      const misses = await cacheMisses();
      await open('weekly', 'sl-weekly-health-page');
      expect(await cacheMisses()).toBe(misses);
      for (const key of ['ats_share', 'mismatch_rate', 'oversell_lines', 'stock_cancellations', 'lost_revenue', 'hidden_units']) {
        await expectTile(page.locator(`sl-kpi-tile[data-kpi="${key}"]`), latest[key], key);
      }
      // Allocation breaches are said apart from the oversold count, never added to it.
      expect(await page.locator('sl-kpi-tile[data-kpi="oversell_lines"] .detail').textContent()).toContain(
        `apart: ${Number(latest.allocation_breach_lines).toLocaleString('en-US')} sold beyond a channel's allocation`,
      );
      // Hidden units are the week's average, with the SKU-locations and unit-hours behind it.
      const pairs = Number(latest.hidden_sku_locations);
      expect(await page.locator('sl-kpi-tile[data-kpi="hidden_units"]').getAttribute('detail')).toMatch(new RegExp(`unit-hours on ${pairs.toLocaleString('en-US')} SKU-locations?$`));
      const share = (Number(latest.ats_share) * 100).toFixed(Number(latest.ats_share) < 0.1 ? 2 : 1);
      expect(await page.locator('sl-kpi-tile[data-kpi="ats_share"] .value').textContent()).toBe(`${share}%`);
      // Six stock states stacked, one line per system compared with the truth.
      expect(await page.locator('sl-plot[data-chart="ats-states"] g.state-area path').count()).toBe(6);
      const rates = await apiRows(api, '/api/mismatch-rate?grain=day&limit=100000');
      const sources = new Set(rates.rows.filter((r) => Number(r.compared) > 0).map((r) => r.source));
      expect(await page.locator('sl-plot[data-chart="mismatch-rate"] g.rate-line path').count()).toBe(sources.size);
      // The data ends an hour into its last day: that day is left out, and the chart says how much
      // of it there is so far, by the weeks' own coverage (rpt_weekly_health's hours so far).
      const inProgress = (await apiRows(api, '/api/weekly-health?location=ALL&limit=100000')).rows.sort(byWeek).at(-1)!;
      expect(inProgress.is_partial).toBe(true);
      const days = [...new Set(rates.rows.map((r) => String(r.day).slice(0, 10)))].sort();
      const lastDay = days.at(-1)!;
      const monday = String(inProgress.week).slice(0, 10);
      const hoursSoFar = Number(inProgress.week_hours) - (24 * (Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${monday}T00:00:00Z`))) / 86_400_000;
      expect(hoursSoFar).toBeGreaterThan(0);
      expect(hoursSoFar).toBeLessThan(24);
      const chart = page.locator('sl-plot[data-chart="mismatch-rate"]');
      expect(await chart.locator('figcaption', { hasText: 'so far' }).textContent()).toBe(`${formatDay(lastDay)} is still in progress (${hoursSoFar} of 24 h so far) and left out.`);
      // Every whole day's point is the API's rate of that day and system (summed over locations); the last day has none.
      const perDay = new Map<string, { source: string; day: string; compared: number; mismatched: number }>();
      for (const r of rates.rows) {
        const day = String(r.day).slice(0, 10);
        const key = `${day}|${r.source}`;
        const sum = perDay.get(key) ?? { source: String(r.source), day, compared: 0, mismatched: 0 };
        sum.compared += Number(r.compared);
        sum.mismatched += Number(r.mismatched);
        perDay.set(key, sum);
      }
      const expected = [...perDay.values()]
        .filter((p) => p.day !== lastDay && p.compared > 0)
        .map((p) => `${p.source}, ${formatDay(p.day)}: ${formatPercent(p.mismatched / p.compared)}, ${p.mismatched} mismatches`);
      const drawn = await chart.locator('g.rate-dot [aria-label]').evaluateAll((dots) => dots.map((dot) => dot.getAttribute('aria-label')));
      expect(drawn.sort()).toEqual(expected.sort());
      expect(drawn.filter((label) => label?.includes(formatDay(lastDay)))).toEqual([]);
    }));
});

describe('warehouses', () => {
  it('draws the location × week heatmap, the ranking and ATS against total per location, and opens a location', () =>
    withTab(async ({ page, open, drawn }) => {
      const weekly = await apiRows(api, '/api/mismatch-rate?grain=week&limit=100000');
      const cells = new Set(weekly.rows.filter((r) => Number(r.compared) > 0).map((r) => `${r.week}|${r.location_id}`));
      const warehouses = await apiRows(api, '/api/warehouses');
      const ats = await apiRows(api, '/api/ats');
      await open('warehouses', 'sl-warehouses-page');
      expect(await page.locator('sl-plot[data-chart="heatmap"] g.heat-cell rect').count()).toBe(cells.size);
      // The week the data ends in is marked as in progress, and only that one.
      const filters = (await (await api('/api/filters')).json()) as { max_date: string };
      const weeks = [...new Set(weekly.rows.map((r) => String(r.week).slice(0, 10)))].sort();
      const partial = weeks.filter((week) => addDays(week, 6) > filters.max_date.slice(0, 10));
      const ticks = await page.locator('sl-plot[data-chart="heatmap"] g[data-mark="x-axis tick label"] text').allTextContents();
      expect(ticks.filter((tick) => tick.includes('(so far)'))).toHaveLength(partial.length);
      expect(partial.length).toBeLessThanOrEqual(1);
      // A week in progress with less than a day's worth of a location's comparisons shows no rate.
      const comparedIn = (week: string | undefined, location: unknown) =>
        weekly.rows.filter((r) => String(r.week).slice(0, 10) === week && r.location_id === location).reduce((sum, r) => sum + Number(r.compared), 0);
      const early = partial.flatMap((week) =>
        [...new Set(weekly.rows.map((r) => r.location_id))].filter((location) => comparedIn(week, location) > 0 && comparedIn(week, location) < comparedIn(addDays(week, -7), location) / 7),
      );
      const cellTexts = await page.locator('sl-plot[data-chart="heatmap"] g[data-mark="text"] text').allTextContents();
      expect(cellTexts.filter((text) => text === 'too early')).toHaveLength(early.length);
      // A bar per location with comparisons; one without (the FBA centre: no system is compared there) says so instead of 0%.
      const uncompared = warehouses.rows.filter((r) => r.mismatch_rate === null);
      expect(uncompared.length).toBeGreaterThan(0);
      expect(await page.locator('sl-plot[data-chart="ranking"] g.rank-bar rect').count()).toBe(warehouses.rows.length - uncompared.length);
      expect(await page.locator('sl-plot[data-chart="ranking"] text', { hasText: 'not compared' }).count()).toBe(uncompared.length);
      const atsBars = page.locator('sl-plot[data-chart="ats-by-location"] g.ats-bar rect');
      expect(await atsBars.count()).toBe(ats.rows.length);
      expect(await page.locator('sl-plot[data-chart="ats-by-location"] g.total-bar rect').count()).toBe(ats.rows.length);
      const first = ats.rows[0];
      const titles = await atsBars.evaluateAll((bars) => bars.map((bar) => bar.querySelector('title')?.textContent));
      expect(titles).toContain(`${first.location_name}: ${first.ats_units} units available to sell`);
      expect(await page.locator('sl-data-table[data-table="warehouses"] tbody tr').count()).toBe(warehouses.rows.length);

      const top = warehouses.rows[0];
      await page.locator('sl-data-table[data-table="warehouses"] tbody a', { hasText: String(top.location_name) }).click();
      await drawn('sl-location-page');
      expect(new URL(page.url()).hash).toBe(`#/warehouses/${encodeURIComponent(String(top.location_id))}`);
      expect(await page.locator('sl-location-page h2').textContent()).toBe(top.location_name);
      const latest = await tileWeek(String(top.location_id));
      await expectTile(page.locator('sl-location-page sl-kpi-tile[data-kpi="mismatch_rate"]'), latest.mismatch_rate, 'mismatch_rate');
    }));
});

describe('SKU drill-down', () => {
  it("draws every system against the truth with the API's mismatches and order lines on one time axis", () =>
    withTab(async ({ page, open }) => {
      // A SKU the systems got wrong, or any SKU when every system agreed.
      const [mismatch] = (await apiRows(api, '/api/mismatch?limit=1')).rows;
      const target = mismatch ?? (await sqlRows('select sku, location_id from marts.fct_stock_position order by sku limit 1'))[0];
      const query = `sku=${encodeURIComponent(String(target.sku))}&location=${encodeURIComponent(String(target.location_id))}`;
      const timeline = await apiRows(api, `/api/sku-timeline?${query}&limit=100000`);
      const orders = await apiRows(api, `/api/order-lines?${query}&limit=100000`);
      await open(`sku?${query}`, 'sl-sku-page');
      expect(await page.locator('sl-sku-page [data-sku]').textContent()).toBe(target.sku);
      expect(await page.locator('sl-plot[data-chart="sku-timeline"] g.truth-line path').count()).toBe(1);
      const mismatched = timeline.rows.filter((r) => r.probable_cause !== null || r.direction !== null);
      expect(mismatched.length > 0).toBe(mismatch !== undefined);
      expect(await page.locator('sl-plot[data-chart="sku-timeline"] g.mismatch-dot path').count()).toBe(mismatched.length);
      expect(await page.locator('sl-data-table[data-table="sku-mismatches"] tbody tr').count()).toBe(Math.min(20, mismatched.length));
      expect(await page.locator('sl-plot[data-chart="sku-orders"] g.order-dot circle').count()).toBe(orders.rows.length);
    }));
});

describe('sync priority', () => {
  it('lists the SKUs that need faster sync and sorts them by exposure', () =>
    withTab(async ({ page, open }) => {
      const flagged = (await apiRows(api, '/api/sync-priority?needs_faster_sync=true&limit=5000')).rows;
      await open('sync', 'sl-sync-priority-page');
      const rows = page.locator('sl-data-table[data-table="sync-priority"] tbody tr');
      // The demo injects sync lags, so some SKUs are flagged: an empty page would be a regression.
      expect(flagged.length).toBeGreaterThan(0);
      expect(await rows.count()).toBe(Math.min(50, flagged.length));
      const exposures = flagged.map((r) => Number(r.exposure)).sort((a, b) => b - a);
      expect(await rows.first().locator('td').nth(2).textContent()).toBe(String(Number(exposures[0].toPrecision(3))));
      await page.locator('sl-data-table[data-table="sync-priority"] th button', { hasText: 'Exposure' }).click();
      expect(await rows.first().locator('td').nth(2).textContent()).toBe(String(Number(exposures.at(-1)!.toPrecision(3))));

      // One rule: every flagged SKU's recommended interval is shorter than its system's current one,
      // and each card counts its flagged SKUs and names the shortest of their intervals.
      for (const row of flagged) expect(Number(row.recommended_sync_minutes), String(row.sku)).toBeLessThan(Number(row.current_sync_minutes));
      for (const source of new Set(flagged.map((r) => String(r.source)))) {
        const mine = flagged.filter((r) => r.source === source);
        const fastest = Math.min(...mine.map((r) => Number(r.recommended_sync_minutes)));
        const current = Number(mine[0].current_sync_minutes);
        const card = page.locator(`sl-sync-priority-page .source[data-source="${source}"]`);
        expect(await card.locator('.badge').textContent(), source).toBe('faster sync');
        expect(await card.locator('[data-count]').textContent(), source).toBe(needsFasterSyncCount(mine.length));
        expect(await card.locator('[data-advice]').textContent(), source).toBe(recommendedSync(fastest, current));
      }
      expect(await rows.first().locator('td', { hasText: 'needs faster sync' }).count()).toBe(1);
    }));

  it('says how many columns a narrow screen hides and scrolls to them', () =>
    withTab(
      async ({ page, open }) => {
        await open('sync', 'sl-sync-priority-page');
        const table = page.locator('sl-data-table[data-table="sync-priority"]');
        const more = table.locator('button.hidden-columns');
        const hidden = Number(await more.getAttribute('data-hidden-columns'));
        expect(hidden).toBeGreaterThan(0);
        expect(await more.textContent()).toBe(`${hidden} more column${hidden > 1 ? 's' : ''} to the right →`);
        // A click scrolls towards them: fewer columns are hidden once it has.
        await more.click();
        await expect.poll(async () => ((await more.count()) === 0 ? 0 : Number(await more.getAttribute('data-hidden-columns'))), { timeout: 5000 }).toBeLessThan(hidden);
        // Scrolled to the end: the last column is in view and the note is gone.
        await table.locator('.scroll').evaluate((e) => e.scrollTo({ left: e.scrollWidth }));
        await expect.poll(() => more.count(), { timeout: 5000 }).toBe(0);
        const edge = await table.locator('.scroll').evaluate((e) => e.getBoundingClientRect().right);
        expect(await table.locator('thead th').last().evaluate((e) => e.getBoundingClientRect().right)).toBeLessThanOrEqual(edge + 1);
      },
      { viewport: { width: 820, height: 1000 } },
    ));
});

describe('cancellations', () => {
  it('stacks cancelled lines by cause per week, splits them by channel and location, and lists the inferred ones', () =>
    withTab(async ({ page, open }) => {
      const byWeek = await apiRows(api, '/api/cancellations?grain=week&limit=100000');
      const inferred = await apiRows(api, '/api/order-lines?stock_cause=inferred&limit=2000');
      await open('cancellations', 'sl-cancellations-page');
      expect(byWeek.rows.length).toBeGreaterThan(0);
      const weekCause = new Set(byWeek.rows.map((r) => `${r.week}|${r.stock_cause === 'confirmed' || r.stock_cause === 'inferred' ? r.stock_cause : 'none'}`));
      expect(await page.locator('sl-plot[data-chart="cancellations"] g.cancel-bar rect').count()).toBe(weekCause.size);
      const channels = new Set(byWeek.rows.map((r) => r.channel));
      expect(await page.locator('sl-plot[data-chart="by-channel"] g[data-mark="y-axis tick label"] text').count()).toBe(channels.size);
      const lines = byWeek.rows.reduce((sum, r) => sum + Number(r.lines), 0);
      expect(await page.locator('sl-cancellations-page .lede').textContent()).toContain(`of ${lines.toLocaleString('en-US')} cancelled lines`);
      expect(await page.locator('sl-data-table[data-table="inferred"] tbody tr').count()).toBe(Math.min(50, inferred.rows.length));
    }));
});

describe('data health', () => {
  it('shows freshness per source, the ingest runs, the latest build and the lineage graph', () =>
    withTab(async ({ page, open }) => {
      const freshness = await apiRows(api, '/api/freshness?limit=100000');
      const history = await apiRows(api, '/api/freshness?history=true&limit=100000');
      const runs = await apiRows(api, '/api/ingest/runs?limit=200');
      const lineage = (await (await api('/api/lineage')).json()) as { nodes: unknown[] };
      await open('data-health', 'sl-data-health-page');
      // Now: one row per source; over time: one line per source across every bucket.
      expect(await page.locator('sl-data-table[data-table="freshness"] tbody tr').count()).toBe(new Set(freshness.rows.map((r) => r.source)).size);
      // One clock: the demo's data is months old, the page says so, and no source reads fresh
      // against the same now that says nothing new has arrived.
      const basis = await page.locator('sl-data-health-page [data-freshness-basis]').textContent();
      expect(basis).toMatch(/^Ages as of now, .*; the newest data any source sent is from .*: nothing new from any source for [\d.]+ d$/);
      const states = await page.locator('sl-data-table[data-table="freshness"] tbody tr .badge').allTextContents();
      expect(states.length).toBeGreaterThan(0);
      expect(states.filter((state) => state === 'fresh')).toEqual([]);
      expect(history.rows.length).toBeGreaterThan(freshness.rows.length);
      expect(await page.locator('sl-plot[data-chart="staleness"] g[data-mark="line"] path').count()).toBeGreaterThanOrEqual(new Set(history.rows.map((r) => r.source)).size);
      expect(await page.locator('sl-data-table[data-table="ingest-runs"] tbody tr').count()).toBe(Math.min(50, runs.rows.length));
      expect(await page.locator('sl-data-table[data-table="model-runs"] tbody tr').count()).toBeGreaterThan(0);
      // Negative on-hand is one line naming where, only while some system reports it.
      const negative = await apiRows(api, '/api/negative-on-hand?current=true&limit=1000');
      const negativeLine = page.locator('sl-data-health-page [data-negative-on-hand]');
      if (negative.rows.length === 0) expect(await negativeLine.count()).toBe(0);
      else expect(await negativeLine.textContent()).toContain(`${negative.rows[0].sku} at ${negative.rows[0].location_id}`);
      expect(await page.locator('sl-plot[data-chart="lineage"] g.lineage-node circle').count()).toBeGreaterThanOrEqual(lineage.nodes.length);
      // Every model's name can be read: no label runs into another label or another node's dot.
      const boxes = async (selector: string) =>
        page.locator(`sl-plot[data-chart="lineage"] ${selector}`).evaluateAll((elements) => elements.map((e) => {
          const r = e.getBoundingClientRect();
          return { name: e.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        }));
      const labels = await boxes('g.lineage-label text');
      const dots = await boxes('g.lineage-node circle');
      expect(labels.length).toBe(dots.length);
      const overlap = (a: (typeof labels)[number], b: (typeof labels)[number]) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const collisions = labels.flatMap((label, i) => [
        ...labels.filter((other, j) => j > i && overlap(label, other)).map((other) => `${label.name} / ${other.name}`),
        ...dots.filter((dot, j) => j !== i && overlap(label, dot)).map((dot) => `${label.name} / a dot at ${Math.round(dot.left)},${Math.round(dot.top)}`),
      ]);
      expect(collisions).toEqual([]);

      // Files not landed, quarantined rows with their lines (downloadable whole), and the setup checks, as the API has them.
      const notLanded = await apiRows(api, '/api/ingest/files-not-landed?limit=1000');
      if (notLanded.rows.length > 0) expect(await page.locator('sl-data-table[data-table="files-not-landed"] tbody tr').count()).toBe(Math.min(50, notLanded.rows.length));
      else expect(await page.locator('sl-data-health-page').evaluate((element) => element.shadowRoot!.textContent)).toContain('Every file in the drop folders landed.');
      const quarantine = await apiRows(api, '/api/ingest/quarantine?limit=5000');
      expect(quarantine.rows.length).toBeGreaterThan(0);
      const quarantineRows = page.locator('sl-data-table[data-table="quarantine-rows"] tbody tr');
      expect(await quarantineRows.count()).toBe(Math.min(50, quarantine.rows.length));
      expect((await page.locator('sl-data-table[data-table="quarantine-rows"] thead').textContent())!.replace(/\s+/g, ' ')).toMatch(/file.*line.*column.*reason/);
      const href = await page.locator('sl-data-health-page a[data-download="quarantine"]').getAttribute('href');
      const csv = await (await api(href!)).text();
      expect(csv.trimEnd().split('\n').length - 1).toBe((await (await api('/api/ingest/quarantine?limit=1')).json()).total);
      const findings = ((await (await api('/api/setup-checks')).json()) as { findings: unknown[] }).findings;
      if (findings.length === 0) expect(await page.locator('sl-data-health-page [data-setup-ok]').count()).toBe(1);
      else expect(await page.locator('sl-data-table[data-table="setup-checks"] tbody tr').count()).toBe(findings.length);
    }));
});

describe('SQL console', () => {
  it('runs a query into a table and shows a refused one inline', () =>
    withTab(async ({ page, open }) => {
      const query = 'select location_id, count(*) as days from marts.fct_ats_daily group by location_id order by location_id';
      const expected = await sqlRows(query);
      await open('sql', 'sl-sql-console-page');
      await page.locator('sl-sql-console-page textarea').fill(query);
      await page.locator('sl-sql-console-page textarea').press('Control+Enter');
      const rows = page.locator('sl-data-table[data-table="sql-result"] tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(expected.length);
      expect(await rows.first().locator('td').first().textContent()).toBe(expected[0].location_id);

      await page.locator('sl-sql-console-page textarea').fill('drop table marts.fct_ats_daily');
      await page.locator('sl-sql-console-page button', { hasText: 'Run' }).click();
      const error = page.locator('sl-sql-console-page [data-sql-error]');
      await error.waitFor();
      expect(await error.getAttribute('role')).toBe('alert');
      expect((await error.textContent())!.length).toBeGreaterThan(5);
      expect(await rows.count()).toBe(0);

      // Every mart as a file: the view over the bucket grid as CSV only, the tables as Parquet too.
      const exportsList = page.locator('sl-sql-console-page section.exports li');
      expect(await exportsList.filter({ hasText: 'fct_stock_position' }).textContent()).toContain('CSV or SQL only');
      expect(await exportsList.filter({ hasText: /^fct_mismatch(?!_)/ }).locator('a', { hasText: 'CSV' }).count()).toBe(1);
      expect(await exportsList.filter({ hasText: 'fct_stock_position' }).locator('a', { hasText: 'Parquet' }).count()).toBe(0);
    }));
});

describe('filters in the URL', () => {
  it('puts a changed filter into the URL and redraws the tiles for it', () =>
    withTab(async ({ page, open, drawn }) => {
      const filters = (await (await api('/api/filters')).json()) as { locations: { location_id: string }[]; max_date: string };
      const location = filters.locations[0].location_id;
      const latest = await tileWeek(location);
      const everywhere = await tileWeek('ALL');
      // Tiles whose figure differs between all locations and this one: a tile left showing 'ALL' fails.
      const differing = ['ats_share', 'mismatch_rate', 'oversell_lines', 'stock_cancellations', 'lost_revenue', 'hidden_units'].filter((key) => latest[key] !== everywhere[key]);
      expect(differing.length).toBeGreaterThan(0);
      await open('weekly', 'sl-weekly-health-page');
      await page.locator('sl-filter-bar select[name="location"]').selectOption(location);
      await page.waitForURL((url) => url.hash.includes(`location=${encodeURIComponent(location)}`));
      await drawn('sl-weekly-health-page');
      for (const key of differing) await expectTile(page.locator(`sl-kpi-tile[data-kpi="${key}"]`), latest[key], key);
      expect(await page.locator('sl-plot[data-chart="ats-states"] g.state-area path').count()).toBe(6);

      await page.locator('sl-filter-bar input[name="from"]').fill(filters.max_date);
      await page.waitForURL((url) => url.hash.includes(`from=${filters.max_date}`));
      await drawn('sl-weekly-health-page');
      expect(new URL(page.url()).hash).toBe(`#/weekly?from=${filters.max_date}&location=${encodeURIComponent(location)}`);

      // The Warehouses tab opens the overview of every location, not the filtered location's page.
      await page.locator('sl-app nav a', { hasText: 'Warehouses' }).click();
      await drawn('sl-warehouses-page');
      expect(new URL(page.url()).hash).not.toContain('location=');
      await page.goBack();
      await drawn('sl-weekly-health-page');

      // Another location, then Back: the dropdown shows the URL's location again, not the last one picked.
      const other = filters.locations[1].location_id;
      await page.locator('sl-filter-bar select[name="location"]').selectOption(other);
      await page.waitForURL((url) => url.hash.includes(`location=${encodeURIComponent(other)}`));
      await page.goBack();
      await page.waitForURL((url) => url.hash.includes(`location=${encodeURIComponent(location)}`));
      await drawn('sl-weekly-health-page');
      expect(await page.locator('sl-filter-bar select[name="location"]').inputValue()).toBe(location);
    }));

  it("shows the chosen system's own mismatch rate in the tile when a system is picked", () =>
    withTab(async ({ page, open, drawn }) => {
      const latest = await tileWeek('ALL');
      const week = String(latest.week).slice(0, 10);
      const weeks = await apiRows(api, '/api/mismatch-rate?grain=week&source=shopify&limit=100000');
      const inWeek = weeks.rows.filter((r) => String(r.week).slice(0, 10) === week);
      const rate = inWeek.reduce((sum, r) => sum + Number(r.mismatched), 0) / inWeek.reduce((sum, r) => sum + Number(r.compared), 0);
      expect(rate).not.toBeCloseTo(Number(latest.mismatch_rate), 4);
      await open('weekly?source=shopify', 'sl-weekly-health-page');
      await drawn('sl-weekly-health-page');
      await expectTile(page.locator('sl-kpi-tile[data-kpi="mismatch_rate"]'), rate, 'shopify mismatch_rate');
      expect(await page.locator('sl-kpi-tile[data-kpi="mismatch_rate"] .label').textContent()).toBe('Mismatch rate of shopify');
      expect(await page.locator('sl-weekly-health-page .lede').textContent()).toContain('Mismatch rate of shopify only');
    }));

  it("opens an alert's deep link on that location's page with its filters in the controls and the requests", () =>
    withTab(async ({ page, open }) => {
      const filters = (await (await api('/api/filters')).json()) as { locations: { location_id: string; name: string }[]; min_date: string; max_date: string; sources: { source: string }[] };
      const { location_id, name } = filters.locations.at(-1)!;
      const source = filters.sources.at(-1)!.source;
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      // The form the alert emails link to (alerts/email/dashboard-link.ts).
      await open(`warehouses?from=${filters.min_date}&to=${filters.max_date}&location=${encodeURIComponent(location_id)}&source=${source}`, 'sl-location-page');
      expect(await page.locator('sl-location-page h2').textContent()).toBe(name);
      expect(await page.locator('sl-filter-bar input[name="from"]').inputValue()).toBe(filters.min_date);
      expect(await page.locator('sl-filter-bar input[name="to"]').inputValue()).toBe(filters.max_date);
      expect(await page.locator('sl-filter-bar select[name="source"]').inputValue()).toBe(source);
      const rates = requested.find((url) => url.includes('/api/mismatch-rate'))!;
      expect(new URL(rates).searchParams.get('location')).toBe(location_id);
      expect(new URL(rates).searchParams.get('from')).toBe(filters.min_date);
      expect(new URL(rates).searchParams.get('source')).toBe(source);
      expect(new URL(rates).searchParams.get('format')).toBe('arrow');
    }));
});

describe('access', () => {
  it('reaches the pages from the keyboard and fits a tablet without sideways scrolling', () =>
    withTab(
      async ({ page, open, drawn }) => {
        await open('weekly', 'sl-weekly-health-page');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
        const focusedText = () =>
          page.evaluate(() => {
            let active: Element | null = document.activeElement;
            while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
            return active?.textContent?.trim();
          });
        let text: string | undefined;
        for (let presses = 0; presses < 12 && text !== 'Warehouses'; presses++) {
          await page.keyboard.press('Tab');
          text = await focusedText();
        }
        expect(text).toBe('Warehouses');
        await page.keyboard.press('Enter');
        await drawn('sl-warehouses-page');
        expect(new URL(page.url()).hash).toBe('#/warehouses');
      },
      { viewport: { width: 800, height: 1000 } },
    ));
});

describe('untrusted names', () => {
  it('keeps a SKU named like markup as text, from a link and from landed data', async () => {
    const sku = '<img src=x onerror=alert(1)>';
    const { demo } = suite;
    // Land one WMS delta with that SKU through the real pipeline, one comparison bucket after the last WMS capture.
    const last = await demo.db.one<{ at: string }>("select max(captured_at) as at from raw.stock_snapshot where source = 'wms'");
    const capturedAt = new Date(Date.parse(last!.at) + 60 * 60_000);
    const stamp = capturedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const location = demo.config.locations[0].id;
    const wms = demo.config.sources.find((source) => source.name === 'wms') as { path?: string };
    const file = `stock_${stamp}_delta.csv`;
    writeFileSync(path.join(wms.path!, file), `location_id,sku,on_hand,committed,safety_stock\n${location},${sku},9,2,1\n`);
    await runIngest(demo.config, demo.db);
    const build = await buildModels(demo.config, demo.db);
    expect(build.ok).toBe(true);
    expect(await sqlRows(`select status, rows, rejected from ingest.batches where file like '%${file}'`)).toEqual([{ status: 'landed', rows: 1, rejected: 0 }]);
    expect(await sqlRows(`select count(*) as n from marts.fct_stock_position where sku = '${sku}'`)).not.toEqual([{ n: 0 }]);

    await withTab(async ({ page, open, dialogs }) => {
      await open(`sku?sku=${encodeURIComponent(sku)}&location=${encodeURIComponent(location)}`, 'sl-sku-page');
      expect(await page.locator('sl-sku-page [data-sku]').textContent()).toBe(sku);
      expect(await page.locator('sl-filter-bar input[name="sku"]').inputValue()).toBe(sku);
      expect(await page.locator('sl-plot[data-chart="sku-timeline"] g.truth-line path').count()).toBe(1);
      expect(await page.locator('sl-plot[data-chart="sku-timeline"]').getAttribute('label')).toContain(sku);

      await open('sql', 'sl-sql-console-page');
      await page.locator('sl-sql-console-page textarea').fill(`select distinct sku, location_id from marts.fct_stock_position where sku like '<img%'`);
      await page.locator('sl-sql-console-page button', { hasText: 'Run' }).click();
      const cell = page.locator('sl-data-table[data-table="sql-result"] tbody td').first();
      await cell.waitFor();
      expect(await cell.textContent()).toBe(sku);
      expect(await page.locator('img').count()).toBe(0);
      expect(dialogs).toEqual([]);
    });
  }, 300_000);
});
