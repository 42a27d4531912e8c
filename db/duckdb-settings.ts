import os from 'node:os';
import type { Config } from '../core/load-config.ts';

/** The default memory limit when the config sets none: 60% of the machine, at most 6 GB. */
export function defaultMemoryLimit(totalBytes = os.totalmem()): string {
  const megabytes = Math.floor(Math.min(totalBytes * 0.6, 6 * 1024 ** 3) / 1024 ** 2);
  return `${megabytes}MB`;
}

/**
 * The write-ahead log's size at which DuckDB checkpoints by itself, inside whichever commit passes
 * it. DuckDB's 16MB would checkpoint several times in an hourly build at scale m (its log grows by
 * about 80MB), each time stalling the model that commits; Stocklens checkpoints once the build has
 * published instead (Database.checkpoint), and this stays a backstop for when that could not run.
 */
export const defaultCheckpointThreshold = '256MB';

/**
 * Settings every database of this process opens with, whatever the config says. DuckDB would
 * otherwise download and load an extension the moment a query names one of its types or functions
 * (`'127.0.0.1'::inet`), from analyst SQL too; the extensions Stocklens uses (parquet, json, icu)
 * are built in. `allow_community_extensions` cannot be switched back on while the database is open.
 */
export const processWideSettings: Readonly<Record<string, string>> = Object.freeze({
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
});

/**
 * The DuckDB settings of a config's database (`duckdb:` in stocklens.config.yaml). DuckDB takes 80%
 * of the machine's memory by default; a build that needs more than the limit spills to the temp
 * directory instead of exhausting the machine (peak under 8 GB at scale m).
 */
export function duckdbSettings(config: Pick<Config, 'duckdb'>): Record<string, string> {
  const settings: Record<string, string> = {
    memory_limit: config.duckdb.memory_limit ?? defaultMemoryLimit(),
    checkpoint_threshold: config.duckdb.checkpoint_threshold ?? defaultCheckpointThreshold,
  };
  if (config.duckdb.temp_directory) settings.temp_directory = config.duckdb.temp_directory;
  if (config.duckdb.threads) settings.threads = String(config.duckdb.threads);
  return settings;
}
