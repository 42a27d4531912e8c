import { sql, type Connection } from '../../db/database.ts';
import { layers, quotedRelation, refTarget, topologicalOrder, type Project } from './project.ts';
import { renderSql } from './render-sql.ts';

/**
 * The relations each model reads, from DuckDB's own parse tree (`json_serialize_sql`) rather
 * than from templates: a model that writes `marts.fct_x` instead of `{{ ref('fct_x') }}` still
 * depends on it, and the raw/config tables it reads become the lineage's sources.
 * Returns schema-qualified names per model; a body that does not parse is left to the build to report.
 */
export async function parseRelations(connection: Connection, project: Project): Promise<Map<string, string[]>> {
  const relations = new Map<string, string[]>();
  for (const model of project.models.values()) {
    let body: string;
    try {
      body = renderSql(model, { ref: (name) => refTarget(project, name), self: quotedRelation(model.layer, model.name) }).text;
    } catch {
      continue; // an unknown placeholder: the model's own build reports it with its line
    }
    const row = await connection.one<{ tree: string }>(sql`select json_serialize_sql(${body}::varchar) as tree`).catch(() => undefined);
    if (!row) continue;
    const tree = JSON.parse(row.tree) as { error?: boolean };
    if (tree.error) continue;
    const found = new Set<string>();
    collectTables(tree, found);
    relations.set(model.name, [...found].sort());
  }
  return relations;
}

/** Adds the models found only in the parse tree to `dependsOn` and re-orders the DAG (a cycle still fails with its path). */
export function addParsedDependencies(project: Project, relations: Map<string, string[]>): void {
  for (const [name, found] of relations) {
    const model = project.models.get(name)!;
    for (const relation of found) {
      const [schema, table] = relation.split('.');
      const other = project.models.get(table);
      if (other && other.layer === schema && other.name !== name && !model.dependsOn.includes(table)) model.dependsOn.push(table);
    }
  }
  project.order = topologicalOrder(project.models);
}

function collectTables(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectTables(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string' && typeof record.schema_name === 'string' && record.schema_name !== '') {
    found.add(`${record.schema_name}.${record.table_name}`);
  }
  for (const value of Object.values(record)) collectTables(value, found);
}

/** Relations outside the model layers (raw.*, ingest.*, config.*): the lineage's sources. */
export function isSourceRelation(relation: string): boolean {
  return !(layers as readonly string[]).includes(relation.split('.')[0]);
}
