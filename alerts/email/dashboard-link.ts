import type { Config } from '../../core/load-config.ts';
import type { DashboardView } from '../alert.ts';

/** The dashboard's filters that live in its URL hash (dashboard/src/routing/route.ts). */
const urlFilters = ['from', 'to', 'location', 'channel', 'source', 'sku'];

export function dashboardBaseUrl(config: Config): string {
  const base = config.alerts.dashboard_url ?? config.server.public_url ?? `http://localhost:${config.server.port}`;
  return base.replace(/\/+$/, '');
}

/** `<base>/#/warehouses?from=…&location=WH-EAST`: the dashboard keeps page and filters in the hash, so the link opens that exact view. */
export function dashboardLink(config: Config, view: DashboardView): string {
  const query = new URLSearchParams();
  for (const name of urlFilters) {
    const value = view.params[name];
    if (value) query.set(name, value);
  }
  const search = query.toString();
  return `${dashboardBaseUrl(config)}/#/${view.page}${search ? `?${search}` : ''}`;
}
