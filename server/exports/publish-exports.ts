import { pipeline } from '../../core/pipeline-coordinator.ts';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import { inline, sql, type Database } from '../../db/database.ts';

export function exportsDir(config: Config): string {
  return path.join(config.data_dir, 'exports');
}

/**
 * The marts materialized as tables. Views (fct_stock_position expands change intervals to the
 * bucket grid) are computed on read: a Parquet copy of one would be the dense grid the models avoid,
 * so they are queried through the API, the SQL endpoint or their CSV download instead.
 */
export async function listPublishableMarts(db: Database): Promise<string[]> {
  const rows = await db.rows<{ name: string }>(`
    select table_name as name from duckdb_tables()
    where database_name = current_database() and schema_name = 'marts' and not temporary
    order by 1`);
  return rows.map((row) => row.name).filter((name) => /^[a-z0-9_]+$/i.test(name) && !name.startsWith('__'));
}

/**
 * Writes `<data_dir>/exports/<mart>.parquet` for every mart table, each to a temporary name first and
 * renamed into place, so a reader never sees half a file. Call it after every
 * successful build; it also tells the API to drop its cached answers.
 */
export async function publishExports(config: Config, db: Database): Promise<{ mart: string; file: string }[]> {
  const dir = exportsDir(config);
  mkdirSync(dir, { recursive: true });
  const published: { mart: string; file: string }[] = [];
  try {
    for (const mart of await listPublishableMarts(db)) {
      const file = path.join(dir, `${mart}.parquet`);
      const temporary = path.join(dir, `.${mart}.${process.pid}.${Date.now()}.parquet.tmp`);
      try {
        // COPY takes no parameters: the path is inlined as an escaped literal.
        await db.run(inline(sql`copy (select * from ${sql.ident('marts', mart)}) to ${temporary} (format parquet, compression zstd)`));
        renameSync(temporary, file);
        published.push({ mart, file });
      } finally {
        rmSync(temporary, { force: true });
      }
    }
    // Leftovers of an interrupted export are removed; the published files stay.
    for (const name of readdirSync(dir)) if (name.endsWith('.parquet.tmp') && !name.includes(`.${process.pid}.`)) rmSync(path.join(dir, name), { force: true });
  } finally {
    pipeline.published();
  }
  logger.info({ marts: published.length, dir }, 'exports published');
  return published;
}
