import type { Response, Router } from 'express';
import type { z } from 'zod';
import type { Config } from '../core/load-config.ts';
import { sql, type ColumnarResult, type Database, type SQLQuery } from '../db/database.ts';
import { requireRole } from './auth/authenticate.ts';
import type { Role } from './auth/roles.ts';
import { sendResult, streamResult } from './encode/send-result.ts';
import { HttpError } from './http-error.ts';
import { pageShape, parseQuery } from './filters.ts';
import type { RelationCatalog } from './relation-catalog.ts';
import type { QueryGate } from './query-gate.ts';
import type { PageLoader, ResponseCache } from './response-cache.ts';

/** Reads an endpoint's answer for a query string into the cache, ahead of its first request. */
export type Warmer = (query: Record<string, string | string[]>) => Promise<void>;

export interface EndpointContext {
  config: Config;
  db: Database;
  catalog: RelationCatalog;
  cache: ResponseCache;
  gate: QueryGate;
  /** Per endpoint path, how to warm its answers (the default views after a start or publish). */
  warmers: Map<string, Warmer>;
}

export interface TableQuery {
  /** A SELECT without ORDER BY / LIMIT; its rows are counted for `total`, then paged. */
  select: SQLQuery;
  orderBy: SQLQuery;
}

export interface TableEndpoint<Shape extends z.ZodRawShape> {
  path: string;
  role?: Role;
  filters: Shape;
  /** How long an answer may be reused; marts endpoints keep theirs until the next build publishes. */
  maxAgeMs?: number;
  /** Builds the query; it may ask the catalog for the marts it needs (a 503 when one is missing). */
  query(filters: z.output<z.ZodObject<Shape>>, context: EndpointContext): Promise<TableQuery> | TableQuery;
}

/**
 * Registers a table endpoint: validated filters, `{"columns", "rows", "total"}` JSON of one page, or
 * CSV or Arrow of every matching row (one page when `limit` is given). Answers are cached until the next build publishes (marts only change then).
 */
export function tableEndpoint<Shape extends z.ZodRawShape>(router: Router, context: EndpointContext, endpoint: TableEndpoint<Shape>): void {
  const shape = { ...endpoint.filters, ...pageShape };
  const maxAgeMs = endpoint.maxAgeMs ?? Infinity;
  const read = (query: unknown) => {
    const filters = parseQuery(shape, query) as z.output<z.ZodObject<Shape>> & { format: 'json' | 'csv' | 'arrow'; limit: number; offset: number };
    const loader: PageLoader = async (call) => {
      const { select, orderBy } = await endpoint.query(filters, context);
      // One pass: the window count rides along with the page instead of running the query twice.
      return context.gate.run(async () => {
        const { page, total } = withoutTotal(
          await context.db.columns(sql`
            select *, count(*) over () as ${sql.ident(totalColumn)} from (${select}) as paged
            order by ${orderBy} limit ${filters.limit} offset ${filters.offset}`),
        );
        if (total !== undefined || filters.offset === 0) return { result: page, total: total ?? 0 };
        const counted = await context.db.one<{ n: number }>(sql`select count(*) as n from (${select}) as counted`);
        return { result: page, total: Number(counted?.n ?? 0) };
      }, call);
    };
    return { filters, key: cacheKey(endpoint.path, filters), loader };
  };
  router.get(endpoint.path, requireRole(endpoint.role ?? 'viewer'), async (request, response) => {
    const { filters, key, loader } = read(request.query);
    const filename = endpoint.path.replace(/^\/api\//, '').replace(/\W+/g, '-');
    // A download is the whole answer: every matching row, unless the client asked for a page.
    if (filters.format !== 'json' && request.query.limit === undefined) {
      const { select, orderBy } = await endpoint.query(filters, context);
      await downloadWhole(context, response, filters.format, sql`select * from (${select}) as whole order by ${orderBy} offset ${filters.offset}`, filename, request.originalUrl);
      return;
    }
    const page = await context.cache.load(key, maxAgeMs, loader, () => request.socket.destroyed);
    await sendResult(response, filters.format, page.result, { total: page.total }, filename);
  });
  context.warmers.set(endpoint.path, async (query) => {
    const { key, loader } = read(query);
    return context.cache.warm(key, maxAgeMs, loader);
  });
}

/**
 * The cache's key for an answer: the path and the parsed filters in name order, without the
 * format. The JSON, CSV and Arrow forms are one answer, and `?a=1&b=2` is `?b=2&a=1`.
 */
export function cacheKey(path: string, filters: Record<string, unknown>): string {
  const named = Object.entries(filters)
    .filter(([name, value]) => name !== 'format' && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path}?${JSON.stringify(named)}`;
}

const totalColumn = '__stocklens_total';

/** Splits the window count off a page; undefined when the page is empty and so carries no count. */
function withoutTotal(result: ColumnarResult): { page: ColumnarResult; total?: number } {
  const page = { names: result.names.slice(0, -1), types: result.types.slice(0, -1), columns: result.columns.slice(0, -1), rowCount: result.rowCount };
  return { page, total: result.rowCount > 0 ? Number(result.columns.at(-1)![0]) : undefined };
}

/** Identifiers for ORDER BY lists: `orderBy('week', 'location_id')`. */
export function orderBy(...columns: string[]): SQLQuery {
  return sql.join(
    columns.map((column) => {
      const [name, direction] = column.split(' ');
      return direction === 'desc' ? sql`${sql.ident(name)} desc nulls last` : sql`${sql.ident(name)}`;
    }),
    ', ',
  );
}

/** The most rows a download streams; past it the endpoint answers 413 with the count and the ways around. */
export const maxDownloadRows = 5_000_000;

/**
 * Streams every row of a table endpoint's answer as CSV or Arrow; 413 when more than
 * `maxDownloadRows` match, saying how many and how to get them (narrower filters, pages, Parquet).
 */
async function downloadWhole(context: EndpointContext, response: Response, format: 'csv' | 'arrow', query: SQLQuery, filename: string, url: string): Promise<void> {
  await context.gate.run(async () => {
    const counted = await context.db.one<{ n: number }>(sql`select count(*) as n from (select 1 from (${query}) limit ${maxDownloadRows + 1})`);
    const total = Number(counted?.n ?? 0);
    if (total > maxDownloadRows) {
      throw new HttpError(
        413,
        `more than ${maxDownloadRows.toLocaleString('en')} rows match: narrow the filters (from, to, location, source, sku), page with limit and offset ` +
          `(${url}${url.includes('?') ? '&' : '?'}limit=1000000&offset=0), or download the mart whole as Parquet from /api/exports`,
      );
    }
    response.set('X-Stocklens-total', String(total));
    const connection = await context.db.connect();
    const closeOnAbort = () => connection.interrupt();
    response.once('close', closeOnAbort);
    try {
      await streamResult(response, format, connection.stream(query), filename);
    } catch (error) {
      // Past the first byte the status is sent: cut the body so the client sees it fail.
      if (response.headersSent) return void response.destroy(error as Error);
      throw error;
    } finally {
      response.off('close', closeOnAbort);
      connection.closeSync();
    }
  });
}
