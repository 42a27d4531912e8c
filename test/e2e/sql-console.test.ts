import { describe, expect, it } from 'vitest';
import { dashboardSuite } from '../helpers/dashboard-suite.ts';

const suite = dashboardSuite('console');
const { withTab } = suite;

const asToken = (token: string) => (pathAndQuery: string, init: RequestInit = {}) =>
  fetch(`${suite.demo.server.url}${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

describe('SQL console', () => {
  it('browses schemas, tables and columns with their types and descriptions, and queries a table from there', () =>
    withTab(async ({ page, open }) => {
      await open('sql', 'sl-sql-console-page');
      const browserPanel = page.locator('sl-schema-browser');
      const table = browserPanel.locator('details[data-relation="marts.rpt_weekly_health"]');
      await table.locator('summary').click();
      // The model's own one-line description, and its columns with their DuckDB types.
      expect(await table.locator('.description').textContent()).toMatch(/^Per week and location/);
      const columns = await table.locator('li').allTextContents();
      expect(columns.some((c) => /^week\s*DATE$/.test(c.trim()))).toBe(true);
      expect(columns.some((c) => /^oversell_lines\s*BIGINT$/.test(c.trim()))).toBe(true);
      expect(await browserPanel.locator('details[data-schema]').count()).toBeGreaterThanOrEqual(3);
      // Finding a column narrows the list to the tables that have it.
      await browserPanel.locator('input[type="search"]').fill('hidden_units');
      expect(await browserPanel.locator('details[data-relation]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-relation')))).toContain('marts.rpt_weekly_health');
      expect(await browserPanel.locator('details[data-relation="marts.fct_order_line"]').count()).toBe(0);
      await browserPanel.locator('details[data-relation="marts.rpt_weekly_health"] summary').click();
      await browserPanel.locator('details[data-relation="marts.rpt_weekly_health"] button', { hasText: 'Query this table' }).click();
      expect(await page.locator('sl-sql-console-page textarea').inputValue()).toBe('select *\nfrom marts.rpt_weekly_health\nlimit 100');
    }));

  it("keeps each user's history, saves queries privately or for a role, and never lets the console's records be queried", async () => {
    const other = (await suite.demo.server.tokens.create('analyst', 'second analyst')).token;
    await withTab(async ({ page, open }) => {
      await open('sql', 'sl-sql-console-page');
      const editor = page.locator('sl-sql-console-page textarea');
      await editor.fill('select 41 + 1 as answer');
      await page.locator('sl-sql-console-page button.primary').click();
      await page.locator('sl-data-table[data-table="sql-result"] tbody tr').first().waitFor();
      await editor.fill('select nope from nowhere');
      await page.locator('sl-sql-console-page button.primary').click();
      await page.locator('[data-sql-error]').waitFor();
      const history = page.locator('sl-sql-library ul[data-list="history"] li');
      await expect.poll(() => history.count()).toBeGreaterThanOrEqual(2);
      expect(await history.nth(0).textContent()).toContain('failed');
      expect(await history.nth(1).textContent()).toContain('select 41 + 1 as answer');
      // Saved for analysts: the second analyst sees it; a private one stays with its owner.
      await editor.fill('select count(*) as lines from marts.fct_order_line');
      const library = page.locator('sl-sql-library');
      await library.locator('input[name="name"]').fill('Order lines, all time');
      await library.locator('select[name="share"]').selectOption('analyst');
      await library.locator('button.save').click();
      await library.locator('li', { hasText: 'Order lines, all time' }).waitFor();
      await editor.fill('select 1 as mine');
      await library.locator('input[name="name"]').fill('Scratch');
      await library.locator('select[name="share"]').selectOption('');
      await library.locator('button.save').click();
      await library.locator('li', { hasText: 'Scratch' }).waitFor();
      // Opening a saved query puts it back in the editor.
      await library.locator('button', { hasText: 'Order lines, all time' }).click();
      expect(await editor.inputValue()).toBe('select count(*) as lines from marts.fct_order_line');
    });
    const api = asToken(other);
    const saved = ((await (await api('/api/sql/saved')).json()) as { rows: { name: string; query_id: string; mine: boolean }[] }).rows;
    expect(saved.map((q) => q.name)).toEqual(['Order lines, all time']);
    expect(saved[0].mine).toBe(false);
    // Someone else's history is not yours.
    expect(((await (await api('/api/sql/history')).json()) as { rows: unknown[] }).rows).toEqual([]);
    const refusedDelete = await api(`/api/sql/saved/${saved[0].query_id}`, { method: 'DELETE' });
    expect(refusedDelete.status).toBe(404);
    expect(((await refusedDelete.json()) as { error: string }).error).toMatch(/only be deleted by whoever saved it/);
    // The console's records hold other users' SQL: analyst SQL cannot read them.
    const peek = await api('/api/sql', { method: 'POST', body: JSON.stringify({ sql: 'select * from console.saved_queries' }) });
    expect(peek.status).toBe(400);
    expect(await peek.text()).toMatch(/console/);
    const badSave = await api('/api/sql/saved', { method: 'POST', body: JSON.stringify({ name: 'x', sql: 'select 1', shared_with: 'everyone' }) });
    expect(badSave.status).toBe(400);
    expect(((await badSave.json()) as { error: string }).error).toMatch(/^invalid shared_with/);
  });

  it('draws the result as bars or a line by the columns chosen', () =>
    withTab(async ({ page, open }) => {
      await open('sql', 'sl-sql-console-page');
      await page.locator('sl-sql-console-page textarea').fill('select location_id, sum(ats_units) as ats from marts.fct_ats_current group by all order by 1');
      await page.locator('sl-sql-console-page button.primary').click();
      const rows = page.locator('sl-data-table[data-table="sql-result"] tbody tr');
      await rows.first().waitFor();
      const controls = page.locator('[data-result-chart]');
      await controls.locator('select').first().selectOption('bar');
      const chart = page.locator('sl-plot[data-chart="sql-result"]');
      await chart.locator('g.result-bar rect').first().waitFor();
      expect(await chart.locator('g.result-bar rect').count()).toBe(await rows.count());
      await controls.locator('select').first().selectOption('line');
      await chart.locator('g.result-line path').first().waitFor();
      expect(await chart.locator('figcaption.summary').textContent()).toMatch(/^ats by location_id over \d+ result rows\.$/);
    }));
});
