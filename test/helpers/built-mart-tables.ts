import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../core/load-config.ts';
import { Database, quotedIdentifier, sql, type Connection } from '../../db/database.ts';
import { ensureLandingSchema } from '../../ingest/ensure-schema.ts';
import { buildModels } from '../../models/runner/build.ts';

/**
 * Tables with exactly the columns (names, order, types) of the marts as the real models build them,
 * for tests that need rows no landed scenario produces: a fixture inserts its rows into these by
 * column name, so a mart's shape cannot drift from the tests that read it. A column a model drops or
 * renames fails the fixture's insert; a column a model adds is there, null unless the fixture fills it.
 */
export async function createBuiltMartTables(connection: Connection, marts: readonly string[]): Promise<void> {
  const shapes = await builtMartShapes();
  await connection.run('create schema if not exists marts');
  for (const mart of marts) {
    const columns = shapes.get(mart);
    if (!columns) throw new Error(`marts.${mart} is not one of the marts the models build (${[...shapes.keys()].join(', ')})`);
    const definitions = columns.map((column) => `${quotedIdentifier(column.name)} ${column.type}`).join(', ');
    await connection.run(`create or replace table marts.${quotedIdentifier(mart)} (${definitions})`);
  }
}

/** A mart's columns (names, order, types) as the real models build it. */
export async function builtMartColumns(mart: string): Promise<BuiltColumn[]> {
  const columns = (await builtMartShapes()).get(mart);
  if (!columns) throw new Error(`marts.${mart} is not one of the marts the models build`);
  return columns;
}

interface BuiltColumn {
  name: string;
  type: string;
}

let shapesOnce: Promise<Map<string, BuiltColumn[]>> | undefined;

/** Every mart's columns, read once per test process from a real build of the models on an empty landing. */
function builtMartShapes(): Promise<Map<string, BuiltColumn[]>> {
  shapesOnce ??= buildShapes();
  return shapesOnce;
}

const emptyWorldYaml = `
data_dir: ./data
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
  - { name: shopify, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./inbox/shopify }
locations:
  - { id: WH-A, name: Warehouse A, truth_source: wms }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-A] }
`;

async function buildShapes(): Promise<Map<string, BuiltColumn[]>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stocklens-mart-shapes-'));
  try {
    const config = parseConfig(emptyWorldYaml, path.join(dir, 'stocklens.config.yaml'));
    const db = await Database.open(config.databaseFile);
    try {
      await ensureLandingSchema(db);
      const summary = await buildModels(config, db);
      const failed = summary.results.filter((result) => result.status !== 'success');
      if (failed.length > 0) throw new Error(`building the marts for their shapes failed: ${failed.map((result) => `${result.node}: ${result.error}`).join(', ')}`);
      const rows = await db.withConnection((connection) =>
        connection.rows(sql`select table_name, column_name, data_type from information_schema.columns
          where table_schema = 'marts' order by table_name, ordinal_position`),
      );
      const shapes = new Map<string, BuiltColumn[]>();
      for (const row of rows) {
        const mart = String(row.table_name);
        if (!shapes.has(mart)) shapes.set(mart, []);
        shapes.get(mart)?.push({ name: String(row.column_name), type: String(row.data_type) });
      }
      return shapes;
    } finally {
      db.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
