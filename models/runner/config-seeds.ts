import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type Connection } from '../../db/database.ts';

/**
 * The config's sources, locations and channels as tables in schema `config`, so models join them
 * like any relation (dbt's seeds, taken from stocklens.config.yaml instead of CSV files).
 */
export async function writeConfigSeeds(connection: Connection, config: Config): Promise<void> {
  // One transaction: readers never see a half-written config, and one commit instead of dozens.
  await connection.transaction(() => writeSeeds(connection, config));
}

async function writeSeeds(connection: Connection, config: Config): Promise<void> {
  await connection.run('create schema if not exists config');
  await connection.run(`create or replace table config.sources (name varchar primary key, system varchar, connector varchar, max_staleness_minutes double, schedule varchar)`);
  await connection.run(`create or replace table config.locations (location_id varchar primary key, name varchar, region varchar, kind varchar, truth_source varchar, lead_email varchar)`);
  await connection.run(`create or replace table config.channels (channel varchar primary key, kind varchar, source varchar, share double, block_below integer, reserve integer)`);
  await connection.run(`create or replace table config.channel_locations (channel varchar, location_id varchar)`);
  await connection.run(`create or replace table config.settings (compare_every_minutes double, lag_lookback_minutes double, abs_tol double, rel_tol double, timezone varchar)`);
  for (const source of config.sources) {
    await connection.run(sql`insert into config.sources values (${source.name}, ${source.system}, ${source.connector}, ${minutes(source.max_staleness)}, ${source.schedule})`);
  }
  for (const location of config.locations) {
    await connection.run(sql`insert into config.locations values (${location.id}, ${location.name}, ${location.region ?? null}, ${location.kind}, ${location.truth_source ?? null}, ${location.lead_email ?? null})`);
  }
  for (const channel of config.channels) {
    await connection.run(sql`insert into config.channels values (${channel.name}, ${channel.kind}, ${channel.source ?? null}, ${channel.share}, ${channel.block_below}, ${channel.reserve})`);
    for (const id of channel.locations) await connection.run(sql`insert into config.channel_locations values (${channel.name}, ${id})`);
  }
  await connection.run(sql`insert into config.settings values (${config.compareEveryMs / 60_000}, ${config.lagLookbackMs / 60_000}, ${config.mismatch.abs_tol}, ${config.mismatch.rel_tol}, ${config.timezone})`);
}

function minutes(duration: string): number {
  return parseDurationMs(duration)! / 60_000;
}
