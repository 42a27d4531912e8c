import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config } from '../../../core/load-config.ts';
import { Database } from '../../../db/database.ts';

export const twoWarehouses = 'locations:\n  - { id: WH-EAST, name: East DC }\n  - { id: WH-WEST, name: West DC }\n';

/** Writes `files` (name → content) into `<dir>/<folder>` and returns the folder. */
export function writeFiles(dir: string, folder: string, files: Record<string, string | Buffer>): string {
  const target = path.join(dir, folder);
  mkdirSync(target, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(target, name), content);
  return target;
}

/** A config in `dir` from YAML text, and its database opened. */
export async function openSetup(dir: string, yaml: string): Promise<{ config: Config; db: Database }> {
  writeFileSync(path.join(dir, 'stocklens.config.yaml'), yaml);
  const config = parseConfig(yaml, path.join(dir, 'stocklens.config.yaml'));
  return { config, db: await Database.open(config.databaseFile) };
}
