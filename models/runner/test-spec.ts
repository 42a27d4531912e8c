import { splitTopLevel } from './split-top-level.ts';
import { sql, type SQLQuery } from '../../db/database.ts';

export type Severity = 'error' | 'warn';

/** A generic data test from a model header, e.g. `unique(bucket_at, sku)` or `expression(a <= b, severity=warn)`. */
export type TestSpec = {
  /** The spec as written (without severity), the test's name in meta.test_results. */
  name: string;
  severity: Severity;
} & (
  | { kind: 'not_null' | 'unique'; columns: string[] }
  | { kind: 'accepted_values'; column: string; values: (string | number | boolean)[] }
  | { kind: 'relationships'; column: string; to: RelationRef; toColumn: string }
  | { kind: 'expression'; expression: string }
);

/** `ref('dim_location')` (a model) or `config.locations` (any relation). */
export type RelationRef = { ref: string } | { relation: string[] };

const kinds = ['not_null', 'unique', 'accepted_values', 'relationships', 'expression'] as const;

export function parseTestSpec(text: string): TestSpec {
  const call = /^([a-z_]+)\s*\(([\s\S]*)\)$/.exec(text.trim());
  if (!call) throw new Error(`test ${JSON.stringify(text)} is not written as name(arguments), e.g. not_null(sku)`);
  const kind = call[1];
  if (!(kinds as readonly string[]).includes(kind)) throw new Error(`test ${JSON.stringify(text)}: ${kind} is not one of ${kinds.join(', ')}`);
  let args = splitTopLevel(call[2]);
  let severity: Severity = 'error';
  const option = args.at(-1)?.match(/^severity\s*=\s*(\w+)$/);
  if (option) {
    if (option[1] !== 'warn' && option[1] !== 'error') throw new Error(`test ${JSON.stringify(text)}: severity must be warn or error`);
    severity = option[1];
    args = args.slice(0, -1);
  }
  const name = `${kind}(${args.join(', ')})`;
  const need = (count: number, shape: string) => {
    if (args.length !== count) throw new Error(`test ${JSON.stringify(text)}: expected ${kind}(${shape})`);
  };
  switch (kind) {
    case 'not_null':
    case 'unique':
      if (args.length === 0) throw new Error(`test ${JSON.stringify(text)}: name at least one column`);
      return { name, severity, kind, columns: args };
    case 'accepted_values': {
      need(2, "column, ['a', 'b']");
      return { name, severity, kind, column: args[0], values: parseValues(args[1], text) };
    }
    case 'relationships':
      need(3, "column, ref('model'), column");
      return { name, severity, kind, column: args[0], to: parseRelation(args[1], text), toColumn: args[2] };
    default:
      if (args.length === 0) throw new Error(`test ${JSON.stringify(text)}: write the condition every row must meet`);
      return { name, severity, kind: 'expression', expression: args.join(', ') };
  }
}

/**
 * The query counting the rows that fail a test against `relation` (a table, a view, or the
 * would-be result of an incremental run). `resolve` turns a `ref('x')` into its relation.
 * With `touchedBy`, a unique test only looks at the keys that relation holds (an incremental
 * slice: rows already published were unique when they were tested).
 */
export function testQuery(spec: TestSpec, relation: SQLQuery, resolve: (model: string) => SQLQuery, touchedBy?: SQLQuery): SQLQuery {
  switch (spec.kind) {
    case 'not_null':
      return sql`select count(*) as failures from ${relation} as t where ${sql.join(
        spec.columns.map((column) => sql`${columnSql(column)} is null`),
        sql` or `,
      )}`;
    case 'unique': {
      const columns = sql.join(spec.columns.map(columnSql), sql`, `);
      if (!touchedBy) return sql`select count(*) as failures from (select ${columns} from ${relation} as t group by all having count(*) > 1)`;
      const touched = sql.join(
        spec.columns.map((column) => sql`s.${columnSql(column)} is not distinct from t.${columnSql(column)}`),
        sql` and `,
      );
      return sql`select count(*) as failures from (select ${columns} from ${relation} as t semi join ${touchedBy} as s on ${touched} group by all having count(*) > 1)`;
    }
    case 'accepted_values':
      return sql`select count(*) as failures from ${relation} as t where ${columnSql(spec.column)} is not null and ${columnSql(spec.column)} not in (${sql.join(
        spec.values.map((value) => sql`${value}`),
        sql`, `,
      )})`;
    case 'relationships': {
      const parent = 'ref' in spec.to ? resolve(spec.to.ref) : sql.ident(...spec.to.relation);
      return sql`select count(*) as failures from ${relation} as t where ${columnSql(spec.column)} is not null and not exists (select 1 from ${parent} as p where p.${columnSql(spec.toColumn)} = t.${columnSql(spec.column)})`;
    }
    case 'expression':
      // A row fails when the condition is false; NULL passes, as in dbt_utils' expression_is_true.
      return sql`select count(*) as failures from ${relation} as t where not (${sql.__dangerous__rawValue(spec.expression)})`;
  }
}

/** A plain column name is quoted; anything else (`lower(sku)`) is model SQL, trusted like the body. */
function columnSql(column: string): SQLQuery {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) ? sql.ident(column) : sql.__dangerous__rawValue(column);
}

function parseValues(text: string, spec: string): (string | number | boolean)[] {
  const list = /^\[([\s\S]*)\]$/.exec(text.trim());
  if (!list) throw new Error(`test ${JSON.stringify(spec)}: write the accepted values as a list, e.g. ['over', 'under']`);
  return splitTopLevel(list[1]).map((item) => {
    const quoted = /^'((?:[^']|'')*)'$|^"((?:[^"])*)"$/.exec(item);
    if (quoted) return (quoted[1] ?? quoted[2]).replace(/''/g, "'");
    if (/^-?\d+(\.\d+)?$/.test(item)) return Number(item);
    if (item === 'true' || item === 'false') return item === 'true';
    throw new Error(`test ${JSON.stringify(spec)}: ${item} is not a quoted string, a number or a boolean`);
  });
}

function parseRelation(text: string, spec: string): RelationRef {
  const ref = /^ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)$/.exec(text);
  if (ref) return { ref: ref[1] };
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(text)) return { relation: text.split('.') };
  throw new Error(`test ${JSON.stringify(spec)}: ${text} is neither ref('model') nor schema.table`);
}
