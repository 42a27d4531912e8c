import client from 'prom-client';

/**
 * Prometheus metrics for the whole process, served on `/metrics`. Other stages import the
 * metric they record (`rowsLanded.inc({ source, entity }, rows)`), so there is one registry and
 * one set of names.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'stocklens_' });

export const rowsLanded = new client.Counter({
  name: 'stocklens_rows_landed_total',
  help: 'Rows landed into raw.* by source and entity',
  labelNames: ['source', 'entity'] as const,
  registers: [registry],
});

export const rowsRejected = new client.Counter({
  name: 'stocklens_rows_rejected_total',
  help: 'Rows quarantined into ingest.quarantine by source',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const batchesLanded = new client.Counter({
  name: 'stocklens_batches_total',
  help: 'Batches handled by source and ledger status (landed, skipped, held, rejected, failed)',
  labelNames: ['source', 'status'] as const,
  registers: [registry],
});

export const buildDuration = new client.Histogram({
  name: 'stocklens_build_duration_seconds',
  help: 'Duration of whole model builds by outcome (ok, failed)',
  labelNames: ['outcome'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
  registers: [registry],
});

export const modelDuration = new client.Histogram({
  name: 'stocklens_model_duration_seconds',
  help: 'Duration of one model node by status',
  labelNames: ['model', 'status'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

export const alertsSent = new client.Counter({
  name: 'stocklens_alerts_sent_total',
  help: 'Alert emails delivered by rule and state (firing, resolved)',
  labelNames: ['rule', 'state'] as const,
  registers: [registry],
});

export const httpDuration = new client.Histogram({
  name: 'stocklens_http_request_duration_seconds',
  help: 'HTTP request latency by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
  registers: [registry],
});

export const analystQueries = new client.Counter({
  name: 'stocklens_sql_queries_total',
  help: 'Analyst SQL queries by outcome (ok, refused, failed, timeout)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const authFailures = new client.Counter({
  name: 'stocklens_auth_failures_total',
  help: 'Requests refused for missing or invalid credentials',
  registers: [registry],
});

export const apiCacheLookups = new client.Counter({
  name: 'stocklens_api_cache_lookups_total',
  help: 'API answers asked of the response cache by outcome (hit, stale: sent while re-read, shared: joined a query under way, miss: read on request)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
