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

/**
 * Signs a browser tab in with a token: `/login` turns it into the session cookie. It lands on
 * `/healthz` (by default), so the sign-in draws no page and the next navigation is the one a test
 * or a benchmark looks at.
 */
export async function signIn(page: Page, baseUrl: string, token: string, next = '/healthz'): Promise<void> {
  await page.goto(`${baseUrl}/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`);
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
  await signIn(page, baseUrl, token);
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
