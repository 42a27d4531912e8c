import cron from 'node-cron';
import { z } from 'zod';
import { parseDurationMs } from './duration.ts';

/** The shape of stocklens.config.yaml (DESIGN §5a). Keys are snake_case as users write them. */

const duration = z.string().refine((text) => parseDurationMs(text) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a duration (write 30s, 15m, 2h or 7d)`,
});

const cronExpression = z.string().refine((text) => cron.validate(text), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a cron expression (for example "*/15 * * * *")`,
});

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a valid name (letters, digits, _ . -)`,
});

const timezone = z.string().refine(isTimeZone, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone (for example UTC or Europe/Berlin)`,
});

export const systems = ['ecommerce', 'marketplace', 'oms', 'wms', 'erp'] as const;
export const connectors = [
  'csv-drop',
  'shopify-csv',
  'shopify-api',
  'shopify-webhook',
  'amazon-fba-report',
  'erpnext',
  'odoo',
] as const;
const fileConnectors: ReadonlySet<string> = new Set(['csv-drop', 'shopify-csv', 'amazon-fba-report']);
const databaseConnectors: ReadonlySet<string> = new Set(['erpnext', 'odoo']);

const databaseConnection = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().positive().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  database: z.string(),
});

const source = z
  .strictObject({
    name: identifier,
    system: z.enum(systems),
    connector: z.enum(connectors),
    path: z.string().optional(),
    url: z.string().url().optional(),
    access_token: z.string().optional(),
    webhook_secret: z.string().optional(),
    database: databaseConnection.optional(),
    /** Vendor location names or ids mapped onto Stocklens location ids. */
    location_map: z.record(z.string(), z.string()).optional(),
    schedule: cronExpression.default('0 * * * *'),
    max_staleness: duration.default('2h'),
    warn_after: duration.optional(),
    error_after: duration.optional(),
    /** Share a full batch may shrink by before it is held (empty-extract guard, DESIGN §6). */
    max_full_drop: z.number().min(0).max(1).optional(),
  })
  .superRefine((value, context) => {
    if (fileConnectors.has(value.connector) && !value.path) {
      context.addIssue({ code: 'custom', path: ['path'], message: `connector ${value.connector} needs a path to the folder it reads` });
    }
    if (value.connector === 'shopify-api' && !value.url) {
      context.addIssue({ code: 'custom', path: ['url'], message: 'connector shopify-api needs the shop url' });
    }
    if (databaseConnectors.has(value.connector) && !value.database) {
      context.addIssue({ code: 'custom', path: ['database'], message: `connector ${value.connector} needs database connection settings` });
    }
  });

const location = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  region: z.string().optional(),
  kind: z.enum(['warehouse', 'store', '3pl', 'marketplace_fc']).default('warehouse'),
  truth_source: z.string().optional(),
  lead_email: z.string().email().optional(),
});

const channel = z.strictObject({
  name: identifier,
  kind: z.enum(['web', 'marketplace', 'b2b', 'retail']),
  source: z.string().optional(),
  locations: z.array(z.string()).min(1),
  share: z.number().min(0).max(1).default(1),
  block_below: z.number().int().min(0).default(0),
  reserve: z.number().int().min(0).default(0),
});

const smtp = z.strictObject({
  host: z.string().default('localhost'),
  port: z.number().int().positive().default(2525),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().default('stocklens@example.com'),
});

const serverDefaults = {
  port: 3000,
  session_ttl: '7d',
  sql_timeout: '30s',
  sql_row_cap: 10_000,
  auth_failure_limit: 20,
  auth_failure_window: '15m',
};

/** The API server (DESIGN §10): sessions, the analyst SQL endpoint's limits, failed sign-in throttling. */
const server = z.strictObject({
  port: z.number().int().min(0).max(65535).default(serverDefaults.port),
  /** The address people reach the dashboard at (alert links, the sign-in link). */
  public_url: z.string().url().optional(),
  session_ttl: duration.default(serverDefaults.session_ttl),
  /** How long one analyst query may keep DuckDB busy before it is interrupted. */
  sql_timeout: duration.default(serverDefaults.sql_timeout),
  /** Rows a JSON preview of `POST /api/sql` returns at most; downloads (csv, arrow) stream every row. */
  sql_row_cap: z.number().int().positive().default(serverDefaults.sql_row_cap),
  /** Failed authentications one IP address may make per window before it gets 429. */
  auth_failure_limit: z.number().int().positive().default(serverDefaults.auth_failure_limit),
  auth_failure_window: duration.default(serverDefaults.auth_failure_window),
});

export const configSchema = z
  .strictObject({
    data_dir: z.string().default('./data'),
    timezone: timezone.default('UTC'),
    compare_every: duration.default('1h'),
    lag_lookback: duration.default('24h'),
    mismatch: z
      .strictObject({ abs_tol: z.number().min(0).default(0), rel_tol: z.number().min(0).max(1).default(0) })
      .default({ abs_tol: 0, rel_tol: 0 }),
    ingest: z.strictObject({ max_full_drop: z.number().min(0).max(1).default(0.5) }).default({ max_full_drop: 0.5 }),
    server: server.default(serverDefaults),
    sources: z.array(source).min(1, { error: 'at least one source is needed' }),
    locations: z.array(location).default([]),
    channels: z.array(channel).default([]),
    smtp: smtp.default({ host: 'localhost', port: 2525, secure: false, from: 'stocklens@example.com' }),
    /** Alert rules and routing (DESIGN §9); validated by the alerts stage. */
    alerts: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((config, context) => {
    const sourceNames = new Set<string>();
    config.sources.forEach((entry, index) => {
      if (sourceNames.has(entry.name)) {
        context.addIssue({ code: 'custom', path: ['sources', index, 'name'], message: `duplicate source name ${JSON.stringify(entry.name)}` });
      }
      sourceNames.add(entry.name);
    });
    const locationIds = new Set<string>();
    config.locations.forEach((entry, index) => {
      if (locationIds.has(entry.id)) {
        context.addIssue({ code: 'custom', path: ['locations', index, 'id'], message: `duplicate location id ${JSON.stringify(entry.id)}` });
      }
      locationIds.add(entry.id);
      if (entry.truth_source !== undefined && !sourceNames.has(entry.truth_source)) {
        context.addIssue({ code: 'custom', path: ['locations', index, 'truth_source'], message: `${JSON.stringify(entry.truth_source)} is not one of the sources (${[...sourceNames].join(', ')})` });
      }
    });
    config.channels.forEach((entry, index) => {
      if (entry.source !== undefined && !sourceNames.has(entry.source)) {
        context.addIssue({ code: 'custom', path: ['channels', index, 'source'], message: `${JSON.stringify(entry.source)} is not one of the sources (${[...sourceNames].join(', ')})` });
      }
      entry.locations.forEach((id, locationIndex) => {
        if (!locationIds.has(id)) {
          context.addIssue({ code: 'custom', path: ['channels', index, 'locations', locationIndex], message: `${JSON.stringify(id)} is not one of the locations` });
        }
      });
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type SourceConfig = ParsedConfig['sources'][number];
export type LocationConfig = ParsedConfig['locations'][number];
export type ChannelConfig = ParsedConfig['channels'][number];

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
