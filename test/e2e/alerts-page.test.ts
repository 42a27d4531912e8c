import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts, type AlertsOverview } from '../../alerts/index.ts';
import { openMismatchInstant } from '../helpers/alert-instant.ts';
import { dashboardSuite } from '../helpers/dashboard-suite.ts';
import type { DashboardTab } from '../helpers/dashboard-tab.ts';

const suite = dashboardSuite('e2e-alerts');
const { withTab } = suite;
let evaluatedAt: Date;

/**
 * The alerts page on the simulated demo business, evaluated at an instant when some SKU had been
 * wrong long enough to alert on (found from the mart, not assumed): the page against the API.
 */
beforeAll(async () => {
  const { demo } = suite;
  const at = await openMismatchInstant(demo.db);
  expect(at, 'an instant with an open mismatch in the demo').toBeDefined();
  evaluatedAt = at!;
  const evaluation = await evaluateAlerts(demo.config, demo.db, { now: evaluatedAt });
  expect(evaluation.errors).toEqual([]);
}, 300_000);

async function overview(location?: string): Promise<AlertsOverview> {
  const response = await suite.api(`/api/alerts${location ? `?location=${encodeURIComponent(location)}` : ''}`);
  expect(response.status).toBe(200);
  return (await response.json()) as AlertsOverview;
}

const worklistCells = (tab: DashboardTab, column: number) => tab.page.locator(`sl-alerts-page sl-data-table[data-table="open-mismatches"] tbody tr td:nth-child(${column})`).allTextContents();

describe('the alerts page', () => {
  it('lists every open mismatch the API has, with its cause, evidence and action, and the other firing alerts', async () => {
    const api = await overview();
    const open = api.firing.filter((alert) => alert.kind === 'open_mismatch');
    expect(open.length).toBeGreaterThan(0);
    await withTab(async (tab) => {
      await tab.open('alerts', 'sl-alerts-page');
      const skus = await worklistCells(tab, 2);
      expect(skus.sort()).toEqual(open.map((alert) => alert.labels.sku).sort());
      const evidence = await worklistCells(tab, 7);
      expect(evidence.every((text) => text.trim().length > 10)).toBe(true);
      const others = api.firing.filter((alert) => alert.kind !== 'open_mismatch');
      await expect(tab.page.locator('sl-alerts-page details.alert').count()).resolves.toBe(others.length);
      await expect(tab.page.locator('sl-alerts-page #open-title').textContent()).resolves.toBe(`Open mismatches (${open.length})`);
    });
  });

  it("shows a location's page only that location's alerts and rows", async () => {
    const everything = await overview();
    const location = everything.firing.find((alert) => alert.kind === 'open_mismatch')!.labels.location;
    const api = await overview(location);
    for (const alert of [...api.firing, ...api.resolved]) {
      if (alert.labels.location !== undefined) expect(alert.labels.location).toBe(location);
      const index = alert.rows.columns.findIndex((column) => column === 'location_id' || column === 'location');
      if (index >= 0) for (const row of alert.rows.rows) expect(row[index]).toBe(location);
    }
    await withTab(async (tab) => {
      await tab.open(`alerts?location=${encodeURIComponent(location)}`, 'sl-alerts-page');
      const locations = await worklistCells(tab, 1);
      expect(locations.length).toBe(api.firing.filter((alert) => alert.kind === 'open_mismatch').length);
      expect(new Set(locations)).toEqual(new Set([location]));
    });
  });

  it('lets an admin silence alerts from the page and end the silence', async () => {
    await withTab(async (tab) => {
      await tab.open('alerts?location=WH-EAST', 'sl-alerts-page');
      const form = tab.page.locator('sl-alerts-page form.silence');
      await expect(form.locator('input[name="match"]').inputValue()).resolves.toBe('location=WH-EAST');
      await form.locator('input[name="comment"]').fill('stocktake');
      await form.locator('button[type="submit"]').click();
      await tab.page.locator('sl-alerts-page .notice', { hasText: 'Silenced location=WH-EAST for 24h' }).waitFor();
      const silences = (await overview()).silences;
      expect(silences.map((silence) => [silence.matchers, silence.comment])).toEqual([[{ location: 'WH-EAST' }, 'stocktake']]);
      await tab.page.locator('sl-alerts-page sl-data-table[data-table="silences"] button', { hasText: 'End now' }).click();
      await tab.page.locator('sl-alerts-page .notice', { hasText: 'Silence ended' }).waitFor();
      expect((await overview()).silences).toEqual([]);
    });
  });

  it('refuses silencing to a viewer, in words', async () => {
    const { token } = await suite.demo.server.tokens.create('viewer', 'alerts test');
    const response = await fetch(`${suite.demo.server.url}/api/alerts/silences`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ match: { location: 'WH-EAST' } }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/this needs the admin role; your token tok_\w+ has the viewer role/);
  });
});
