import { existsSync } from 'node:fs';
import { ConfigError, StocklensError, causeMessage } from '../core/errors.ts';
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

/**
 * Opens the database a config names; `mustExist` turns a missing file into a clear message, and
 * so is DuckDB's lock held by another process (one process owns the file).
 */
export async function openDatabase(config: Config, options: { readOnly?: boolean; mustExist?: boolean } = {}): Promise<Database> {
  if ((options.mustExist || options.readOnly) && !existsSync(config.databaseFile)) {
    throw new ConfigError(`${config.databaseFile} does not exist yet: run \`stocklens ingest\` and \`stocklens build\` first (or \`npm start\` for the demo)`, config.file, 'data_dir');
  }
  try {
    const db = await Database.open(config.databaseFile, { readOnly: options.readOnly, settings: duckdbSettings(config) });
    // This process now holds the file: what a killed one left behind is cleared first.
    // Loaded only here: it reaches into every stage, which a read-only command never needs.
    if (!options.readOnly) await (await import('./recover-at-start.ts')).recoverAtStart(config, db);
    return db;
  } catch (error) {
    const holder = /Conflicting lock is held in (.*?\(PID \d+\))/.exec(causeMessage(error))?.[1];
    if (!holder && !/could not set lock/i.test(causeMessage(error))) throw error;
    throw new StocklensError(
      `${config.databaseFile} is held by another process (is \`stocklens serve\` running? it lands, builds and alerts on its own schedule): ` +
        'ingest, build, test, retry and sql reach a running server through <data_dir>/server.json or STOCKLENS_URL with STOCKLENS_TOKEN; ' +
        `otherwise wait for the other command, or stop the server${holder ? ` (held by ${holder})` : ''}`,
      { cause: error },
    );
  }
}
