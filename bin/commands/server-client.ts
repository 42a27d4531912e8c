import type { Table } from 'apache-arrow';
import type { Config } from '../../core/load-config.ts';
import { QueryError } from '../../core/errors.ts';
import type { acceptBatch } from '../../ingest/accept-batch.ts';
import type { SourceSummary } from '../../ingest/run-ingest.ts';
import type { BuildOptions, BuildSummary } from '../../models/runner/build.ts';
import type { ModelCommand } from '../../models/runner/model-command.ts';
import type { NodeResult, TestOutcome } from '../../models/runner/run-history.ts';
import type { ModelRunEvent } from '../../server/routes/admin-routes.ts';
import { readServerState } from '../../server/server-state.ts';

type Accepted = Awaited<ReturnType<typeof acceptBatch>>;

export interface ServerTarget {
  url: string;
  token: string;
}

/**
 * The running server this CLI should talk to: STOCKLENS_URL (+ STOCKLENS_TOKEN) when set, else
 * the one `<data_dir>/server.json` names if it answers /healthz. Undefined when none runs.
 */
export async function findServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<ServerTarget | undefined> {
  const state = readServerState(config);
  const url = env.STOCKLENS_URL ?? state?.url;
  if (!url) return undefined;
  const token = env.STOCKLENS_TOKEN ?? state?.token;
  try {
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    if (!health.ok) return undefined;
  } catch {
    if (env.STOCKLENS_URL) throw new QueryError(`STOCKLENS_URL ${url} does not answer: start the server or unset STOCKLENS_URL`);
    return undefined;
  }
  if (!token) throw new QueryError(`a stocklens server runs at ${url}: set STOCKLENS_TOKEN to a token it knows (stocklens token create on the server's machine)`);
  return { url, token };
}

/** Calls the server's API; a refusal becomes a QueryError with the server's own message. */
export async function callServer(target: ServerTarget, pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${target.url}${pathAndQuery}`, {
    ...init,
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', ...init.headers },
  });
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  throw new QueryError(`${response.status === 400 ? 'query failed' : `the server answered ${response.status}`}: ${body.error ?? response.statusText}`);
}

/** Runs analyst SQL on the server, streamed as Arrow (no preview cap), as names and rows of JSON-like values. */
export async function queryServer(target: ServerTarget, query: string): Promise<{ names: string[]; rows: unknown[][] }> {
  const response = await callServer(target, '/api/sql?format=arrow', { method: 'POST', body: JSON.stringify({ sql: query }) });
  // Arrow is loaded only here: a query on the database file never needs it.
  const { tableFromIPC } = await import('apache-arrow');
  return rowsOfArrow(tableFromIPC(new Uint8Array(await response.arrayBuffer())));
}

/** Arrow values back to what `db.columns()` gives locally: numbers, ISO timestamps, YYYY-MM-DD dates. */
export function rowsOfArrow(table: Table): { names: string[]; rows: unknown[][] } {
  const fields = table.schema.fields;
  const convert = fields.map((field) => {
    const type = String(field.type);
    if (type.startsWith('Timestamp')) return (value: unknown) => new Date(Number(value)).toISOString();
    if (type.startsWith('Date')) return (value: unknown) => new Date(Number(value)).toISOString().slice(0, 10);
    if (type === 'Int64' || type === 'Uint64') {
      return (value: unknown) => (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : String(value));
    }
    return (value: unknown) => value;
  });
  const vectors = fields.map((_, index) => table.getChildAt(index)!);
  const rows: unknown[][] = [];
  for (let row = 0; row < table.numRows; row += 1) {
    rows.push(vectors.map((vector, index) => {
      const value = vector.get(row);
      return value === null || value === undefined ? null : convert[index](value);
    }));
  }
  return { names: fields.map((field) => field.name), rows };
}

/**
 * `stocklens build|test|retry` in the running server (it owns the database file): the server
 * streams each node as it finishes, which goes to the same callbacks a local build calls, and the
 * summary last. Undefined when a retry found nothing to do.
 */
export async function runModelsOnServer(target: ServerTarget, command: ModelCommand, options: BuildOptions): Promise<BuildSummary | undefined> {
  const body = { select: options.select, full_refresh: options.fullRefresh, threads: options.threads, fail_fast: options.failFast };
  const response = await callServer(target, `/api/models/${command}`, { method: 'POST', body: JSON.stringify(body) });
  let summary: BuildSummary | undefined | null;
  const decoder = new TextDecoder();
  let pending = '';
  const handle = (line: string) => {
    if (!line.trim()) return;
    const event = JSON.parse(line) as ModelRunEvent;
    if (event.event === 'start') options.onStart?.(event.node, event.kind as NodeResult['kind']);
    else if (event.event === 'node') options.onNode?.(event.result as NodeResult, event.done, event.total);
    else if (event.event === 'test') options.onTest?.(event.outcome as TestOutcome);
    else if (event.event === 'summary') summary = event.summary as BuildSummary | null;
    else throw new QueryError(`the server's ${command} failed: ${event.error}`);
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) handle(line);
  }
  handle(pending + decoder.decode());
  if (summary === undefined) throw new QueryError(`the server's ${command} ended without a summary (did the server stop?): see its log`);
  return summary ?? undefined;
}

/** `stocklens ingest` in the running server: its schedule's runner lands the sources now. */
export async function ingestOnServer(target: ServerTarget, sources?: string[]): Promise<SourceSummary[]> {
  const response = await callServer(target, '/api/ingest', { method: 'POST', body: JSON.stringify(sources ? { sources } : {}) });
  return ((await response.json()) as { sources: SourceSummary[] }).sources;
}

/** `stocklens ingest --accept` in the running server, which rebuilds after the release. */
export async function acceptOnServer(target: ServerTarget, batchId: string): Promise<Accepted> {
  const response = await callServer(target, `/api/ingest/batches/${encodeURIComponent(batchId)}/accept`, { method: 'POST' });
  return ((await response.json()) as { result: Accepted }).result;
}
