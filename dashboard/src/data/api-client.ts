import { rowsFromArrow, type Row } from './arrow-rows.ts';

export type { Row };

export interface TableResult<T = Row> {
  columns: string[];
  rows: T[];
  /** Rows matching the filters before `limit`; equals rows.length when the server does not say. */
  total: number;
}

/** Query parameters; a list is sent as the parameter repeated (`?stock_cause=a&stock_cause=b`). */
export type Params = Record<string, string | number | boolean | readonly string[] | undefined>;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * One small data layer for every chart and table: GET requests come as Arrow IPC, identical
 * requests share one response (views revisited while filtering cost nothing), and a navigation
 * aborts whatever the previous view still waits for.
 */
const cache = new Map<string, Promise<TableResult>>();
const cacheLimit = 200;
let navigation = new AbortController();

export function abortPendingRequests(): void {
  navigation.abort();
  navigation = new AbortController();
}

export function urlFor(path: string, params: Params = {}, format?: string): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) query.append(name, item);
    else if (value !== undefined && value !== '') query.set(name, String(value));
  }
  if (format) query.set('format', format);
  const search = query.toString();
  return `${path}${search ? `?${search}` : ''}`;
}

export function fetchTable<T = Row>(path: string, params: Params = {}, options: { abortOnNavigation?: boolean } = {}): Promise<TableResult<T>> {
  const url = urlFor(path, params, 'arrow');
  const cached = cache.get(url);
  if (cached) return cached as Promise<TableResult<T>>;
  const signal = options.abortOnNavigation === false ? undefined : navigation.signal;
  const request = load(url, signal);
  cache.set(url, request);
  // A failed or aborted request must be asked again next time, not remembered.
  request.catch(() => cache.delete(url));
  if (cache.size > cacheLimit) cache.delete(cache.keys().next().value!);
  return request as Promise<TableResult<T>>;
}

async function load(url: string, signal?: AbortSignal): Promise<TableResult> {
  const response = await fetch(url, { signal, credentials: 'same-origin', headers: { accept: 'application/vnd.apache.arrow.stream' } });
  if (!response.ok) throw await errorOf(response);
  // An endpoint that has no Arrow form answers JSON; both shapes end up as the same rows.
  if (response.headers.get('content-type')?.includes('json')) return rowsFromJson(await response.json());
  const { columns, rows } = rowsFromArrow(new Uint8Array(await response.arrayBuffer()));
  // Arrow has no envelope: the server sends the `total` of the JSON shape as a header.
  const total = Number(response.headers.get('x-stocklens-total') ?? rows.length);
  return { columns, rows, total: Number.isFinite(total) ? total : rows.length };
}

function rowsFromJson(body: { columns?: string[]; rows: unknown[]; total?: number }): TableResult {
  const columns = body.columns ?? Object.keys((body.rows[0] as Row | undefined) ?? {});
  const rows = body.rows.map((row) => (Array.isArray(row) ? Object.fromEntries(columns.map((name, index) => [name, row[index]])) : (row as Row)));
  return { columns, rows, total: body.total ?? rows.length };
}

export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = JSON.parse(text) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    if (text && text.length < 300) message = text;
  }
  if (response.status === 401) message = `${message}: sign in again with your token link`;
  return new ApiError(message, response.status);
}

/** JSON for the few endpoints that are documents, not tables (lineage, me). */
export async function fetchJson<T>(path: string, options: { abortOnNavigation?: boolean } = {}): Promise<T> {
  const signal = options.abortOnNavigation === false ? undefined : navigation.signal;
  const response = await fetch(path, { signal, credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export interface SqlPreview extends TableResult {
  truncated: boolean;
  rowCap?: number;
  elapsedMs?: number;
}

/**
 * Runs analyst SQL for the console: the server's JSON preview, capped at its row cap
 * and saying whether it cut the result (a download streams the whole result instead). A refused
 * query answers 400 with the reason. Never cached.
 */
export async function runSql(query: string, signal?: AbortSignal): Promise<SqlPreview> {
  const response = await postSql(query, 'json', signal);
  const body = (await response.json()) as { columns: string[]; rows: unknown[][]; truncated?: boolean; row_cap?: number; elapsed_ms?: number };
  const table = rowsFromJson(body);
  return { ...table, truncated: body.truncated === true, rowCap: body.row_cap, elapsedMs: body.elapsed_ms };
}

export async function postSql(query: string, format: 'json' | 'arrow' | 'csv', signal?: AbortSignal): Promise<Response> {
  const response = await fetch(urlFor('/api/sql', {}, format), {
    method: 'POST',
    signal,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql: query }),
  });
  if (!response.ok) throw await errorOf(response);
  return response;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
