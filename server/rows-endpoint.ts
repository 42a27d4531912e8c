import type { Router } from 'express';
import { z } from 'zod';
import { sql, type SQLQuery } from '../db/database.ts';
import { equals, inList, instant, oneOrMore, timeRange, where } from './filters.ts';
import { orderBy, tableEndpoint, type EndpointContext } from './table-endpoint.ts';

/**
 * A table endpoint that lists the rows of one relation as they are: each filter matches one
 * column, `from`/`to` bound a timestamp column. Most of the API's lists (mismatches, order lines,
 * the ingest ledger, run history) are this; endpoints that aggregate or join write their query.
 */
export interface RowsEndpoint {
  path: string;
  /** The relation; a missing one answers 503 saying which command makes it. */
  relation: { schema: string; name: string; madeBy: string };
  /** Filter name → column, matched with IN (`?source=a&source=b`). */
  lists: Record<string, string>;
  /** Filter name → its accepted values and column, matched with = (flags, enumerations). */
  singles?: Record<string, { column: string; values: z.ZodType<string | boolean | undefined> }>;
  /**
   * The timestamp column that `from` and `to` bound, or several named ones that `at` chooses
   * between (the first is the default): an order line counts in a week by when it was placed, a
   * cancellation by when it was cancelled.
   */
  time?: string | Record<string, string>;
  orderBy: string[];
  /** As on table endpoints: how long an answer may be reused (relations written between builds). */
  maxAgeMs?: number;
}

export function rowsEndpoint(router: Router, context: EndpointContext, spec: RowsEndpoint): void {
  const lists = Object.entries(spec.lists);
  const singles = Object.entries(spec.singles ?? {});
  const times = typeof spec.time === 'string' ? { [spec.time]: spec.time } : (spec.time ?? {});
  const timeNames = Object.keys(times) as [string, ...string[]];
  const filters: z.ZodRawShape = {
    ...Object.fromEntries(lists.map(([name]) => [name, oneOrMore.optional()])),
    ...Object.fromEntries(singles.map(([name, { values }]) => [name, values])),
    ...(timeNames.length > 0 ? { from: instant.optional(), to: instant.optional() } : {}),
    ...(timeNames.length > 1 ? { at: z.enum(timeNames).default(timeNames[0]) } : {}),
  };
  const { schema, name, madeBy } = spec.relation;
  tableEndpoint(router, context, {
    path: spec.path,
    maxAgeMs: spec.maxAgeMs,
    filters,
    async query(f, { catalog, config }) {
      await (schema === 'marts' ? catalog.requireMart(name) : catalog.requireTable(schema, name, madeBy));
      const given = f as Record<string, unknown>;
      const conditions: (SQLQuery | undefined)[] = [
        ...lists.map(([filter, column]) => inList(sql.ident(column), given[filter] as string[] | undefined)),
        ...singles.map(([filter, { column }]) => equals(sql.ident(column), given[filter] as string | boolean | undefined)),
        ...(timeNames.length > 0 ? timeRange(sql.ident(times[(given.at as string | undefined) ?? timeNames[0]]), 'timestamp', given as { from?: string; to?: string }, config.timezone) : []),
      ];
      return { select: sql`select * from ${sql.ident(schema, name)} ${where(conditions)}`, orderBy: orderBy(...spec.orderBy) };
    },
  });
}
