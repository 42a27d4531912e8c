import { sql, type Connection } from '../../db/database.ts';
import { HttpError } from '../http-error.ts';
import type { RelationCatalog } from '../relation-catalog.ts';

/**
 * The analyst SQL endpoint's gate. DuckDB cannot switch file and network access off
 * for one connection: `enable_external_access` and `lock_configuration` are instance-wide and
 * one-way, and this process also lands files and writes exports. So a query is checked on
 * DuckDB's own parse tree (`json_serialize_sql`, which serializes nothing but SELECT statements)
 * against allow-lists before it runs:
 * - exactly one statement, a query;
 * - every relation is a CTE in scope or an existing table or view of this database outside the
 *   secret schemas, named as a plain identifier, so `from 'x.csv'` replacement scans never happen;
 * - table functions only from a short list that touches no file, setting or catalog;
 * - scalar functions must exist already (no extension autoloading) and not read the environment,
 *   settings or sequences.
 */

// auth holds token hashes; console holds each user's query history and private saved queries.
const secretSchemas = new Set(['auth', 'console']);
const allowedTableFunctions = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);
// sleep_ms and pg_sleep hold a query slot and a thread while doing nothing: a way to starve others.
const deniedFunctions = new Set(['sleep_ms', 'pg_sleep', 'getenv', 'current_setting', 'nextval', 'currval', 'write_log', 'json_execute_serialized_sql', 'query', 'query_table']);
const informationSchemaViews = new Set(['tables', 'columns', 'schemata', 'views', 'table_constraints', 'key_column_usage']);
const queryNodes = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const passThroughRefs = new Set(['JOIN', 'SUBQUERY', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT']);
const plainIdentifier = /^[a-z_][a-z0-9_$]*$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export class QueryRefused extends HttpError {
  constructor(message: string) {
    super(400, `query refused: ${message}`);
  }
}

class UnknownFunction extends QueryRefused {
  constructor(name: string) {
    super(`there is no function ${name}() (extensions are not loaded from here)`);
  }
}

interface GuardState {
  relations: Map<string, string[]>;
  functions: Set<string>;
  database: string;
  catalog: RelationCatalog;
  /** Names not found in the cached catalog, checked once more against a fresh read. */
  unknown: Set<string>;
}

let functionNames: Promise<Set<string>> | undefined;

/** Checks analyst SQL; throws QueryRefused (400) naming what is not allowed, or DuckDB's parser error. */
export async function checkAnalystSql(connection: Connection, catalog: RelationCatalog, text: string): Promise<void> {
  const parsed = await connection.one<{ tree: string; database: string }>(sql`select json_serialize_sql(${text}::varchar) as tree, current_database() as database`);
  const tree = JSON.parse(String(parsed!.tree)) as JsonObject;
  if (tree.error) {
    if (tree.error_type === 'not implemented') throw new QueryRefused('only a single read-only query (SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE) may run here');
    throw new HttpError(400, `${tree.error_type === 'parser' ? 'Parser Error: ' : ''}${String(tree.error_message)}`);
  }
  const statements = (tree.statements ?? []) as JsonObject[];
  if (statements.length !== 1) throw new QueryRefused(statements.length === 0 ? 'there is no statement in it' : `send one statement at a time (found ${statements.length})`);
  const readFunctions = () =>
    connection.rows<{ name: string }>('select distinct lower(function_name) as name from duckdb_functions()').then((rows) => new Set(rows.map((row) => row.name)));
  functionNames ??= readFunctions();
  const state: GuardState = {
    relations: await catalog.relations(),
    functions: await functionNames,
    database: String(parsed!.database).toLowerCase(),
    catalog,
    unknown: new Set(),
  };
  try {
    walkQuery(statements[0].node as JsonObject, new Set(), state);
  } catch (error) {
    // A macro a build created since the list was read: read it again once before refusing.
    if (!(error instanceof UnknownFunction)) throw error;
    functionNames = readFunctions();
    state.functions = await functionNames;
    walkQuery(statements[0].node as JsonObject, new Set(), state);
  }
  if (state.unknown.size > 0) {
    // A table built since the cache was filled: look once more before refusing.
    state.relations = await catalog.relations(true);
    for (const key of state.unknown) if (!state.relations.has(key)) throw new QueryRefused(`there is no table or view ${key} (the SQL endpoint reads this database's tables and views only)`);
  }
}

function walkQuery(node: JsonObject, scope: Set<string>, state: GuardState): void {
  if (!queryNodes.has(String(node.type))) throw new QueryRefused(`${String(node.type).toLowerCase().replace(/_/g, ' ')} is not allowed`);
  const inner = new Set(scope);
  const ctes = ((node.cte_map as JsonObject | null)?.map ?? []) as JsonObject[];
  for (const entry of ctes) {
    const name = String(entry.key).toLowerCase();
    if (!plainIdentifier.test(name)) throw new QueryRefused(`CTE names must be plain identifiers (letters, digits, _), not ${JSON.stringify(entry.key)}`);
    const body = ((entry.value as JsonObject).query as JsonObject).node as JsonObject;
    // A CTE sees the ones defined before it, and itself only when it is recursive.
    const bodyScope = new Set(inner);
    if (body.type === 'RECURSIVE_CTE_NODE' && String(body.cte_name).toLowerCase() === name) bodyScope.add(name);
    walkQuery(body, bodyScope, state);
    inner.add(name);
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'cte_map') walk(value, inner, state);
}

function walk(value: Json, scope: Set<string>, state: GuardState): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, scope, state);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const type = typeof value.type === 'string' ? value.type : undefined;
  if ('class' in value) {
    if (value.class === 'FUNCTION') checkFunction(value, state);
  } else if (type && queryNodes.has(type) && 'modifiers' in value) {
    return walkQuery(value, scope, state);
  } else if (type?.endsWith('_NODE') && 'modifiers' in value) {
    throw new QueryRefused(`${type.toLowerCase().replace(/_/g, ' ')} is not allowed`);
  } else if (type && 'sample' in value) {
    return walkTableRef(value, type, scope, state);
  }
  for (const child of Object.values(value)) walk(child, scope, state);
}

function walkTableRef(ref: JsonObject, type: string, scope: Set<string>, state: GuardState): void {
  switch (type) {
    case 'BASE_TABLE':
      checkRelation(ref, scope, state);
      return walk(ref.at_clause, scope, state);
    case 'TABLE_FUNCTION': {
      const fn = ref.function as JsonObject;
      const name = String(fn.function_name).toLowerCase();
      if (!allowedTableFunctions.has(name)) throw new QueryRefused(`table function ${name}() is not allowed (allowed: ${[...allowedTableFunctions].join(', ')})`);
      return walk(fn.children, scope, state);
    }
    case 'SHOW_REF':
      // DESCRIBE / SUMMARIZE of a query are fine; SHOW of a named object reads the catalog directly.
      if (ref.table_name) throw new QueryRefused('SHOW is not allowed: query information_schema.tables or information_schema.columns');
      break;
    default:
      if (!passThroughRefs.has(type)) throw new QueryRefused(`${type.toLowerCase().replace(/_/g, ' ')} is not allowed in FROM`);
  }
  for (const child of Object.values(ref)) walk(child, scope, state);
}

function checkRelation(ref: JsonObject, scope: Set<string>, state: GuardState): void {
  const catalog = String(ref.catalog_name ?? '').toLowerCase();
  const schema = String(ref.schema_name ?? '').toLowerCase();
  const table = String(ref.table_name ?? '').toLowerCase();
  for (const part of [catalog, schema, table]) {
    if (part && !plainIdentifier.test(part)) throw new QueryRefused(`relation names must be plain identifiers (letters, digits, _): ${JSON.stringify(ref.table_name)} would be read as a file`);
  }
  if (!catalog && !schema && scope.has(table)) return;
  if (catalog && catalog !== state.database) throw new QueryRefused(`only this database's tables can be read, not catalog ${catalog}`);
  const schemaName = schema || 'main';
  if (secretSchemas.has(schemaName)) throw new QueryRefused(`${schemaName}.* holds secrets and cannot be queried`);
  if (schemaName === 'information_schema' && informationSchemaViews.has(table)) return;
  const key = `${schemaName}.${table}`;
  if (!state.relations.has(key)) state.unknown.add(key);
}

function checkFunction(fn: JsonObject, state: GuardState): void {
  const name = String(fn.function_name).toLowerCase();
  if (deniedFunctions.has(name)) throw new QueryRefused(`function ${name}() is not allowed`);
  if (secretSchemas.has(String(fn.schema ?? '').toLowerCase())) throw new QueryRefused(`functions of ${fn.schema} are not allowed`);
  if (allowedTableFunctions.has(name)) return;
  // Unknown names would make DuckDB try to autoload (and download) an extension.
  if (!state.functions.has(name)) throw new UnknownFunction(name);
}
