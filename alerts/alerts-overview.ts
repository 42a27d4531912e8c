import type { Config } from '../core/load-config.ts';
import type { Database } from '../db/database.ts';
import type { AlertState } from './alert.ts';
import { ensureAlertTables, readAlertStates } from './alert-store.ts';
import { receiversOf, routeAlert, scopeAlert } from './routing.ts';
import { activeSilences, type Silence } from './silences.ts';

export interface AlertOverviewEntry extends AlertState {
  /** Who it goes to: receiver names (`lead:WH-EAST`, `owner:erp`, `ops`); empty when nobody. */
  receivers: string[];
}

export interface AlertsOverview {
  firing: AlertOverviewEntry[];
  /** Resolved within `recentDays` before the latest evaluation. */
  resolved: AlertOverviewEntry[];
  silences: Silence[];
  /** The latest evaluation's time (the data's time when evaluated `--at latest`), if any. */
  evaluatedAt: string | null;
}

const recentDays = 7;

/**
 * What the dashboard's alerts page shows: firing alerts, recently resolved ones and the silences
 * in force. With a location, only that location's alerts and rows, as its lead's emails have them.
 */
export async function alertsOverview(config: Config, db: Database, options: { location?: string; now?: Date } = {}): Promise<AlertsOverview> {
  const now = options.now ?? new Date();
  return db.withConnection(async (connection) => {
    await ensureAlertTables(connection);
    const states = await readAlertStates(connection);
    const latest = states.flatMap((state) => [state.lastSeenAt, state.resolvedAt ?? '']).sort().at(-1) || null;
    const since = latest ? new Date(new Date(latest).getTime() - recentDays * 86_400_000).toISOString() : '';
    const receivers = receiversOf(config);
    const scope = options.location ? { name: 'filter', label: options.location, to: [], locations: [options.location] } : undefined;
    const entries = states
      .map((state) => (scope ? scopeAlert(scope, state) : state))
      .filter((state) => state !== undefined)
      .map((state) => ({ ...state, receivers: routeAlert(config, state.labels).filter((name) => receivers.has(name)) }));
    const silences = await activeSilences(config, connection, now);
    return {
      firing: entries.filter((state) => state.status === 'firing'),
      resolved: entries.filter((state) => state.status === 'resolved' && (state.resolvedAt ?? '') >= since).sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? '')),
      silences,
      evaluatedAt: latest,
    };
  });
}
