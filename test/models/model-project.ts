import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config } from '../../core/load-config.ts';
import type { Database } from '../../db/database.ts';
import { openTestDb } from '../helpers/test-db.ts';

/** A models folder written from `{ 'marts/x.sql': '...' }`, with a minimal config beside it; `moreSources` are YAML list items. */
export function writeProject(dir: string, files: Record<string, string>, moreSources = ''): { dir: string; config: Config } {
  for (const [file, text] of Object.entries(files)) writeModel(dir, file, text);
  const text = `sources:\n  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: . }\n${moreSources}models: { dir: . }\n`;
  writeFileSync(path.join(dir, 'stocklens.config.yaml'), text);
  const config = parseConfig(text, path.join(dir, 'stocklens.config.yaml'));
  return { dir, config };
}

export function writeModel(dir: string, file: string, text: string): void {
  mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

export async function openProjectDb(config: Config): Promise<Database> {
  return openTestDb(config.databaseFile);
}
