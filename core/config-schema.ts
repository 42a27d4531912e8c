import { z } from 'zod';
import { alertsSchema } from './alert-config-schema.ts';
import { cronExpression, duration, identifier, size, timezone } from './config-values.ts';

/** The shape of stocklens.config.yaml. Keys are snake_case as users write them. */

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
  /** PostgreSQL (odoo): the schema the tables live in, when not the default search_path. */
  schema: z.string().optional(),
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
    /** shopify-webhook: a JSON file {inventory_items: {id: sku}, locations: {id: location_id}} naming Shopify's numeric ids. */
    sku_map: z.string().optional(),
    /** File sources: a symbolic link in the folder is read only when this is true, and only when it points at a regular file inside the folder or `symlink_roots`. */
    follow_symlinks: z.boolean().default(false),
    symlink_roots: z.array(z.string()).default([]),
    /**
     * File sources: a file counts as complete once its modification time is at least this old (a
     * writer still appending keeps touching it), so an export copied in a minute ago lands at once
     * and one still being written waits. `0s` takes a file as soon as it appears: right for writers
     * that write `name.part` and rename it (a `.part` name is never read), and for the demo.
     */
    quiet_period: duration.default('30s'),
    schedule: cronExpression.default('0 * * * *'),
    max_staleness: duration.default('2h'),
    warn_after: duration.optional(),
    error_after: duration.optional(),
    /** Share a full batch may shrink by before it is held (empty-extract guard). */
    max_full_drop: z.number().min(0).max(1).optional(),
    /** Who answers for this system: its alerts as a whole (staleness, held batches, sync interval) go here. */
    owner_email: z.string().email().optional(),
    /** shopify-api: the Admin API version in the endpoint path and the page size of a query. */
    api_version: z.string().regex(/^\d{4}-(01|04|07|10)$/, { error: 'api_version is a Shopify API version such as 2026-10 (Shopify releases one each January, April, July and October)' }).default('2026-10'),
    /** shopify-api: the most inventory items a page asks for; fewer when the page's cost would pass Shopify's limit. */
    page_size: z.number().int().min(1).max(250).default(100),
    /** File exports in a locale's number format (1.200,5): the decimal mark and the thousands separator. */
    decimal: z.enum(['.', ',']).optional(),
    thousands: z.enum([',', '.', ' ', "'"]).optional(),
    /** erpnext: the site's time zone, in which Frappe writes its naive datetimes (modified). */
    timezone: timezone.default('UTC'),
    /** odoo: the SKU of a product without an Internal Reference (default_code): its barcode, else odoo-product-<id>; or always odoo-product-<id>. */
    missing_sku: z.enum(['barcode', 'product_id']).default('barcode'),
    /**
     * odoo: quants owned by a partner (owner_id, consignment). separate: counted on hand and held in
     * reserved_other (present, not the business's to sell); own: counted as the business's stock; exclude: left out.
     */
    consigned: z.enum(['separate', 'own', 'exclude']).default('separate'),
    /** shopify-api: `paged` queries, a `bulk` operation, or `auto` (bulk for a shop with more variants than a few pages hold). */
    fetch_mode: z.enum(['auto', 'paged', 'bulk']).default('auto'),
    /** File connectors: the file names to read (a glob such as `*.txt`), for files kept under the vendor's own names. */
    pattern: z.string().min(1).optional(),
    /** API and database connectors: how long one request may take before it counts as a transient failure. */
    request_timeout: duration.default('30s'),
    /** Retries of transient failures (network, 429, 5xx): capped exponential backoff with jitter. */
    retry: z
      .strictObject({ attempts: z.number().int().min(1).max(20).default(5), base_delay: duration.default('1s'), max_delay: duration.default('60s') })
      .default({ attempts: 5, base_delay: '1s', max_delay: '60s' }),
  })
  .superRefine((value, context) => {
    if (fileConnectors.has(value.connector) && !value.path) {
      context.addIssue({ code: 'custom', path: ['path'], message: `connector ${value.connector} needs a path to the folder it reads` });
    }
    if (value.connector === 'shopify-api' && !value.url) {
      context.addIssue({ code: 'custom', path: ['url'], message: 'connector shopify-api needs the shop url' });
    }
    if (value.connector === 'shopify-webhook' && !value.webhook_secret) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config file's ${NAME} syntax, not a template
      context.addIssue({ code: 'custom', path: ['webhook_secret'], message: 'connector shopify-webhook needs the webhook_secret that signs the deliveries (write ${SHOPIFY_WEBHOOK_SECRET})' });
    }
    if ((value.decimal || value.thousands) && !fileConnectors.has(value.connector)) {
      context.addIssue({ code: 'custom', path: [value.decimal ? 'decimal' : 'thousands'], message: `connector ${value.connector} hands over numbers, not text: decimal and thousands are for file exports` });
    }
    if (value.thousands && value.thousands === (value.decimal ?? '.')) {
      context.addIssue({ code: 'custom', path: ['thousands'], message: `thousands "${value.thousands}" is also the decimal mark: set decimal: "${value.thousands === '.' ? ',' : '.'}"` });
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
  /** `files` writes each message to <data_dir>/outbox/*.eml instead of sending it: the demo, or trying rules without a mail server. */
  deliver: z.enum(['smtp', 'files']).default('smtp'),
  host: z.string().default('localhost'),
  port: z.number().int().positive().default(2525),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().default('stocklens@example.com'),
});

const ingestDefaults = { max_full_drop: 0.5, max_file_size: '2GB', max_decompressed_size: '8GB', max_compression_ratio: 200 };

const serverDefaults = {
  port: 3000,
  trust_proxy: false,
  metrics_open: false,
  sql_concurrency: 2,
  sql_concurrency_per_user: 1,
  sql_download_max: '1GB',
  session_ttl: '7d',
  sql_timeout: '30s',
  sql_row_cap: 10_000,
  auth_failure_limit: 20,
  auth_failure_window: '15m',
};

/** The API server: sessions, the analyst SQL endpoint's limits, failed sign-in throttling. */
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
  /**
   * Express's `trust proxy`: false (default) takes the client address from the socket; true, a hop
   * count or a list of proxy addresses takes it from X-Forwarded-For, and https from X-Forwarded-Proto.
   */
  trust_proxy: z.union([z.boolean(), z.number().int().min(1), z.string().min(1)]).default(serverDefaults.trust_proxy),
  /** `GET /metrics` needs this token as `Authorization: Bearer`, or an admin's token, unless `metrics_open: true`. */
  metrics_token: z.string().min(16, { error: 'metrics_token needs at least 16 characters' }).optional(),
  metrics_open: z.boolean().default(serverDefaults.metrics_open),
  /** Analyst queries (`POST /api/sql`) running at once in the whole server, and per token. */
  sql_concurrency: z.number().int().min(1).default(serverDefaults.sql_concurrency),
  sql_concurrency_per_user: z.number().int().min(1).default(serverDefaults.sql_concurrency_per_user),
  /** The largest CSV or Arrow download of an analyst query; a bigger result is refused with a hint to narrow it. */
  sql_download_max: size.default(serverDefaults.sql_download_max),
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
    ingest: z
      .strictObject({
        max_full_drop: z.number().min(0).max(1).default(ingestDefaults.max_full_drop),
        /** A file larger than this is refused whole, before anything reads it. */
        max_file_size: size.default(ingestDefaults.max_file_size),
        /** A compressed file that expands past this size, or past this ratio of its own size, is refused. */
        max_decompressed_size: size.default(ingestDefaults.max_decompressed_size),
        max_compression_ratio: z.number().min(1).default(ingestDefaults.max_compression_ratio),
      })
      .default(ingestDefaults),
    server: server.default(serverDefaults),
    sources: z.array(source).min(1, { error: 'at least one source is needed' }),
    locations: z.array(location).default([]),
    channels: z.array(channel).default([]),
    smtp: smtp.default({ deliver: 'smtp', host: 'localhost', port: 2525, secure: false, from: 'stocklens@example.com' }),
    /** The SQL model runner: the models folder (default: the one shipped with Stocklens) and how many models build at once. */
    models: z
      .strictObject({ dir: z.string().optional(), threads: z.number().int().min(1).default(2) })
      .default({ threads: 2 }),
    /**
     * How much of the machine DuckDB may take: `memory_limit` (`6GB`, `512MB`; default 60% of the
     * machine's memory, at most 6 GB: past it DuckDB spills to `temp_directory`, default
     * `<data_dir>/tmp`) and `threads` (default one per core); `checkpoint_threshold` (default 256MB),
     * the write-ahead log's size at which DuckDB checkpoints inside a commit (Stocklens checkpoints
     * after each build, so this is a backstop).
     */
    duckdb: z
      .strictObject({
        memory_limit: size.optional(),
        checkpoint_threshold: size.optional(),
        threads: z.number().int().min(1).optional(),
        temp_directory: z.string().optional(),
      })
      .default({}),
    /** Alert rules, routing and the CEO digest; absent means the default rule set to each location's lead. */
    alerts: alertsSchema.prefault({}),
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
    config.alerts.lead_digest.locations.forEach((id, index) => {
      const location = config.locations.find((entry) => entry.id === id);
      if (!location?.lead_email) {
        context.addIssue({ code: 'custom', path: ['alerts', 'lead_digest', 'locations', index], message: `${JSON.stringify(id)} is not a location with a lead_email` });
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
export type AlertsConfig = ParsedConfig['alerts'];
export type AlertRuleConfig = AlertsConfig['rules'][number];
