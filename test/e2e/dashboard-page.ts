import type { Browser, BrowserContext, Page } from 'playwright-core';

/** A signed-in browser tab on the demo server that fails the test on any script error. */
export interface DashboardTab {
  page: Page;
  context: BrowserContext;
  errors: string[];
  dialogs: string[];
  /** Opens a dashboard route (`weekly?location=…`) and waits until its page has drawn. */
  open(route: string, pageTag: string): Promise<void>;
  /** Waits until the page element has drawn again after a change. */
  drawn(pageTag: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDashboard(browser: Browser, baseUrl: string, token: string, viewport = { width: 1280, height: 800 }): Promise<DashboardTab> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A refused query or a missing mart answers 4xx/5xx on purpose; the page shows those itself.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${baseUrl}/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent('/healthz')}`);
  const drawn = (pageTag: string) => page.locator(`${pageTag}[data-state="drawn"]`).waitFor({ timeout: 30_000 });
  return {
    page,
    context,
    errors,
    dialogs,
    async open(route, pageTag) {
      await page.goto(`${baseUrl}/#/${route}`);
      await drawn(pageTag);
    },
    drawn,
    close: () => context.close(),
  };
}

/** Rows of a table endpoint as objects, from its JSON shape. */
export async function apiRows(api: (path: string) => Promise<Response>, pathAndQuery: string): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const response = await api(pathAndQuery);
  if (!response.ok) throw new Error(`${pathAndQuery}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { columns: string[]; rows: unknown[][] | Record<string, unknown>[]; total: number };
  const rows = body.rows.map((row) => (Array.isArray(row) ? Object.fromEntries(body.columns.map((name, index) => [name, row[index]])) : row));
  return { rows, total: body.total };
}
