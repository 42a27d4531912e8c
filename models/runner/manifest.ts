import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/load-config.ts';
import { sql, type Connection } from '../../db/database.ts';
import { isSourceRelation } from './parse-relations.ts';
import type { Project } from './project.ts';

/** `<data_dir>/manifest.json`: the DAG with each node's columns as built, for the lineage view. */
export interface Manifest {
  generated_at: string;
  run_id: string;
  nodes: ManifestNode[];
  edges: { from: string; to: string }[];
}

export interface ManifestNode {
  name: string;
  /** `source` for relations outside the model layers (raw.*, config.*) that models read. */
  kind: 'model' | 'source' | 'test';
  layer?: string;
  relation?: string;
  materialized?: string;
  file?: string;
  description?: string;
  tags: string[];
  tests: string[];
  columns: { name: string; type: string }[];
}

export function manifestFile(config: Config): string {
  return path.join(config.data_dir, 'manifest.json');
}

export async function writeManifest(connection: Connection, config: Config, project: Project, relations: Map<string, string[]>, runId: string): Promise<Manifest> {
  const rows = await connection.rows<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    sql`select table_schema, table_name, column_name, data_type from information_schema.columns
        where table_catalog = current_database() order by table_schema, table_name, ordinal_position`,
  );
  const columns = new Map<string, { name: string; type: string }[]>();
  for (const row of rows) {
    const key = `${row.table_schema}.${row.table_name}`;
    columns.set(key, [...(columns.get(key) ?? []), { name: row.column_name, type: row.data_type }]);
  }
  const nodes: ManifestNode[] = [];
  const edges: { from: string; to: string }[] = [];
  const sources = new Set<string>();
  for (const name of project.order) {
    const model = project.models.get(name)!;
    const relation = `${model.layer}.${model.name}`;
    nodes.push({
      name,
      kind: 'model',
      layer: model.layer,
      relation: model.materialized === 'ephemeral' ? undefined : relation,
      materialized: model.materialized,
      file: path.relative(project.modelsDir, model.file),
      description: model.description,
      tags: model.tags,
      tests: [...model.tests.map((test) => test.name), ...project.singularTests.filter((test) => test.model === name).map((test) => test.name)],
      columns: columns.get(relation) ?? [],
    });
    for (const dependency of model.dependsOn) edges.push({ from: dependency, to: name });
    for (const read of (relations.get(name) ?? []).filter(isSourceRelation)) {
      sources.add(read);
      edges.push({ from: read, to: name });
    }
  }
  for (const source of [...sources].sort()) {
    nodes.push({ name: source, kind: 'source', relation: source, tags: [], tests: [], columns: columns.get(source) ?? [] });
  }
  for (const test of project.singularTests.filter((test) => !test.model)) {
    nodes.push({ name: test.name, kind: 'test', file: path.relative(project.modelsDir, test.file), description: test.description, tags: [], tests: [], columns: [] });
    for (const dependency of test.dependsOn) edges.push({ from: dependency, to: test.name });
  }
  const manifest: Manifest = { generated_at: new Date().toISOString(), run_id: runId, nodes, edges };
  // Written beside and renamed, so a reader (the server's /api/lineage) never sees half a file.
  const file = manifestFile(config);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return manifest;
}

/** The manifest of the latest build, or undefined before the first one. */
export function readManifest(config: Config): Manifest | undefined {
  const file = manifestFile(config);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}
