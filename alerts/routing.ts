import type { Config } from '../core/load-config.ts';
import type { AlertState, AlertTable } from './alert.ts';

export interface Receiver {
  name: string;
  /** Who it is, as the email greets them: `the lead of East DC (WH-EAST)`. */
  label: string;
  to: string[];
  /** A location's lead sees only rows of these locations; undefined for everyone else. */
  locations?: string[];
}

export const leadReceiver = (locationId: string) => `lead:${locationId}`;
export const ownerReceiver = (source: string) => `owner:${source}`;

/**
 * The configured receivers plus one `lead:<location>` per location with a lead_email and one
 * `owner:<source>` per source with an owner_email.
 */
export function receiversOf(config: Config): Map<string, Receiver> {
  const receivers = new Map<string, Receiver>();
  for (const location of config.locations) {
    if (location.lead_email) {
      receivers.set(leadReceiver(location.id), { name: leadReceiver(location.id), label: `the lead of ${location.name} (${location.id})`, to: [location.lead_email], locations: [location.id] });
    }
  }
  for (const source of config.sources) {
    if (source.owner_email) receivers.set(ownerReceiver(source.name), { name: ownerReceiver(source.name), label: `the owner of ${source.name} (${source.system})`, to: [source.owner_email] });
  }
  for (const receiver of config.alerts.receivers) receivers.set(receiver.name, { name: receiver.name, label: receiver.name, to: [...receiver.to] });
  return receivers;
}

export function labelsMatch(matchers: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(matchers).every(([name, value]) => labels[name] === value);
}

/**
 * The receivers of an alert, Alertmanager-style: configured routes in order (the first match wins
 * unless it says continue); otherwise the lead of the alert's location; otherwise, for an alert
 * about a system as a whole (a stale feed, a held batch, its sync interval), the system's owner,
 * else the default receiver, else a receiver named `ops`. A system-wide alert never goes to the
 * leads: its rows span every location. None of these: the alert is unrouted (the dashboard's
 * alerts page and `stocklens alerts --dry-run` still show it).
 */
export function routeAlert(config: Config, labels: Readonly<Record<string, string>>): string[] {
  const receivers = receiversOf(config);
  const chosen: string[] = [];
  for (const route of config.alerts.routes) {
    if (!labelsMatch(route.match, labels)) continue;
    chosen.push(route.receiver);
    if (!route.continue) break;
  }
  if (chosen.length > 0) return [...new Set(chosen)].filter((name) => receivers.has(name));
  if (labels.location !== undefined) return receivers.has(leadReceiver(labels.location)) ? [leadReceiver(labels.location)] : fallback(config, receivers);
  if (labels.source !== undefined && receivers.has(ownerReceiver(labels.source))) return [ownerReceiver(labels.source)];
  return fallback(config, receivers);
}

function fallback(config: Config, receivers: Map<string, Receiver>): string[] {
  if (config.alerts.default_receiver) return [config.alerts.default_receiver];
  return receivers.has('ops') ? ['ops'] : [];
}

/**
 * What of an alert a receiver may read: a lead gets only alerts of their own locations, and of
 * those only the rows of their locations (a route can send a wider alert their way). Undefined
 * when nothing is left.
 */
export function scopeAlert(receiver: Receiver, state: AlertState): AlertState | undefined {
  if (!receiver.locations) return state;
  const allowed = new Set(receiver.locations);
  if (state.labels.location !== undefined && !allowed.has(state.labels.location)) return undefined;
  const top = scopeTable(state.top, allowed);
  const rows = scopeTable(state.rows, allowed);
  if (rows.rows.length === 0 && state.rows.rows.length > 0) return undefined;
  const dropped = state.rows.rows.length - rows.rows.length;
  return { ...state, top, rows, totalRows: state.totalRows - dropped };
}

function scopeTable(table: AlertTable, allowed: Set<string>): AlertTable {
  const index = table.columns.findIndex((column) => column === 'location_id' || column === 'location');
  if (index < 0) return table;
  return { columns: table.columns, rows: table.rows.filter((row) => allowed.has(String(row[index]))) };
}
