import { existsSync } from 'node:fs';
import { ConfigError } from '../core/errors.ts';
import { defaultConfigFile, loadConfig, type Config } from '../core/load-config.ts';
import { Database } from '../db/database.ts';
import { duckdbSettings } from '../db/duckdb-settings.ts';

export interface GlobalOptions {
  config?: string;
}

/** Loads the config a command was pointed at (`--config`, or stocklens.config.yaml here). */
export function configFrom(options: GlobalOptions): Config {
  return loadConfig(options.config ?? defaultConfigFile);
}

/** Opens the database a config names; `mustExist` turns a missing file into a clear message. */
export async function openDatabase(config: Config, options: { readOnly?: boolean; mustExist?: boolean } = {}): Promise<Database> {
  if ((options.mustExist || options.readOnly) && !existsSync(config.databaseFile)) {
    throw new ConfigError(`${config.databaseFile} does not exist yet: run \`stocklens ingest\` and \`stocklens build\` first (or \`npm start\` for the demo)`, config.file, 'data_dir');
  }
  return Database.open(config.databaseFile, { readOnly: options.readOnly, settings: duckdbSettings(config) });
}
