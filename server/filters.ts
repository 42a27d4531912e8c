import { z } from 'zod';
import { sql, type SQLQuery } from '../db/database.ts';
import { formats } from './encode/send-result.ts';
import { HttpError } from './http-error.ts';

const isoDateOrTimestamp = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** One value of a query parameter (express gives an array when it is repeated). */
export const text = z.string().trim().min(1, 'expected a non-empty value').max(200, 'expected at most 200 characters');

/** `?location=A&location=B`: one or more values, matched with IN. */
export const oneOrMore = z.union([text, z.array(text).max(500)]).transform((value) => (Array.isArray(value) ? value : [value]));

export const instant = z
  .string()
  .regex(isoDateOrTimestamp, 'expected an ISO date (2026-03-02) or timestamp (2026-03-02T10:00:00Z)')
  .refine(isCalendarDate, 'expected a real calendar date');

function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const grain = z.enum(['day', 'week']).default('day');
export const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Parameters every table endpoint takes. */
export const pageShape = {
  format: z.enum(formats).default('json'),
  limit: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(1, 'expected at least 1').max(100_000, 'expected at most 100000').default(1000),
  offset: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').default(0),
};

/**
 * The strict schema of each shape, made once: zod compiles an object schema into a parser function
 * on its first use, which cost more than the rest of a cached answer when it was done per request.
 */
const strictSchemas = new WeakMap<z.ZodRawShape, z.ZodObject>();

function strictSchema<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape> {
  let schema = strictSchemas.get(shape);
  if (schema === undefined) {
    schema = z.strictObject(shape);
    strictSchemas.set(shape, schema);
  }
  return schema as z.ZodObject<Shape>;
}

/**
 * Validates a query string against a route's filters; a 400 names the field and what was expected.
 * `shape` should be made once per route (its schema is kept for it), not per request.
 */
export function parseQuery<Shape extends z.ZodRawShape>(shape: Shape, query: unknown, noun = 'filter', hint = ''): z.output<z.ZodObject<Shape>> {
  const result = strictSchema(shape).safeParse(query ?? {});
  if (result.success) return result.data as z.output<z.ZodObject<Shape>>;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new HttpError(400, `unknown ${noun} ${issue.keys.join(', ')}: this endpoint takes ${Object.keys(shape).join(', ')}${hint}`);
  }
  const field = issue.path.join('.') || 'query';
  const given = issue.path.length > 0 ? (query as Record<string, unknown> | undefined)?.[String(issue.path[0])] : query;
  const message = issue.code === 'invalid_type' && given === undefined ? 'is required' : issue.message.replace(/^Invalid (input|option): /, '');
  throw new HttpError(400, `invalid ${field}: ${message}${hint}`);
}

/** `column IN ($1, $2, …)`, or nothing when the filter is absent. */
export function inList(column: SQLQuery, values: readonly string[] | undefined): SQLQuery | undefined {
  if (!values || values.length === 0) return undefined;
  return sql`${column} in (${sql.join(
    values.map((value) => sql`${value}`),
    ', ',
  )})`;
}

export function equals(column: SQLQuery, value: string | boolean | undefined): SQLQuery | undefined {
  return value === undefined ? undefined : sql`${column} = ${value}`;
}

/** A time bound as a TIMESTAMPTZ expression: dates and zone-less times are read in the config's time zone. */
function bound(value: string, timezone: string, endOfDay: boolean): SQLQuery {
  if (value.length === 10) {
    return endOfDay ? sql`timezone(${timezone}, (${value}::date + 1)::timestamp)` : sql`timezone(${timezone}, ${value}::date::timestamp)`;
  }
  return /(Z|[+-]\d{2}(:?\d{2})?)$/.test(value) ? sql`${value}::timestamptz` : sql`timezone(${timezone}, ${value}::timestamp)`;
}

/**
 * `from`/`to` on a column: both inclusive (`to=2026-03-08` covers that whole day). A DATE column is
 * compared by calendar date, a timestamp column by instant.
 */
export function timeRange(column: SQLQuery, kind: 'date' | 'timestamp', range: { from?: string; to?: string }, timezone: string): SQLQuery[] {
  const conditions: SQLQuery[] = [];
  if (kind === 'date') {
    if (range.from) conditions.push(sql`${column} >= ${range.from.slice(0, 10)}::date`);
    if (range.to) conditions.push(sql`${column} <= ${range.to.slice(0, 10)}::date`);
    return conditions;
  }
  if (range.from) conditions.push(sql`${column} >= ${bound(range.from, timezone, false)}`);
  if (range.to) conditions.push(range.to.length === 10 ? sql`${column} < ${bound(range.to, timezone, true)}` : sql`${column} <= ${bound(range.to, timezone, false)}`);
  return conditions;
}

/**
 * `from`/`to` on a week column (the Monday a week starts): a week is in the range when any of its
 * days is, and its rows cover the whole week.
 */
export function weekRange(column: SQLQuery, range: { from?: string; to?: string }): SQLQuery[] {
  const conditions: SQLQuery[] = [];
  if (range.from) conditions.push(sql`${column} >= date_trunc('week', ${range.from.slice(0, 10)}::date)`);
  if (range.to) conditions.push(sql`${column} <= ${range.to.slice(0, 10)}::date`);
  return conditions;
}

export function where(conditions: readonly (SQLQuery | undefined)[]): SQLQuery {
  const present = conditions.filter((condition): condition is SQLQuery => condition !== undefined);
  return present.length === 0 ? sql`` : sql`where ${sql.join(present, ' AND ')}`;
}
