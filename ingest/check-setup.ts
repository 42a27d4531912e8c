import { CronExpressionParser } from 'cron-parser';
import { existsSync, statSync } from 'node:fs';
import type { SourceConfig } from '../core/config-schema.ts';
import { formatDuration, parseDurationMs } from '../core/duration.ts';
import type { Config } from '../core/load-config.ts';
import type { IgnoredFile } from './connectors/connector.ts';
import { connectorFor } from './connectors/index.ts';

/** One thing in a setup that will keep figures from being right, and what to change. */
export interface SetupFinding {
  /** `error`: something will not work at all (a source never read or never compared); `warning`: it works, worse than it could. */
  severity: 'error' | 'warning';
  /** The source, location or file it is about. */
  subject: string;
  problem: string;
  fix: string;
}

const channelSystems = new Set<SourceConfig['system']>(['ecommerce', 'marketplace']);

/**
 * `stocklens doctor` and Data health's setup panel: every source that will never be compared and
 * why, locations without a truth, drop folders missing, files no connector will read, two sources
 * sharing a folder and schedules that leave a source stale between runs. Reads the config and the
 * drop folders, never the database.
 */
export async function checkSetup(config: Config): Promise<SetupFinding[]> {
  const findings: SetupFinding[] = [];
  const defaultTruth = config.sources.filter((source) => source.system === 'wms').map((source) => source.name).sort()[0];
  const truthAt = new Map(config.locations.map((location) => [location.id, location.truth_source ?? defaultTruth]));
  const truthSources = new Set([...truthAt.values()].filter((name): name is string => name !== undefined));

  for (const location of config.locations) {
    if (truthAt.get(location.id)) continue;
    findings.push({
      severity: 'error',
      subject: `location ${location.id}`,
      problem: 'no truth here (no truth_source, and no wms source to default to): nothing is compared at this location',
      fix: `set truth_source on ${location.id} in locations: to the source whose counts are right there (${config.sources.map((s) => s.name).join(', ') || 'add a source first'})`,
    });
  }

  for (const source of config.sources) {
    const isTruthSomewhere = truthSources.has(source.name);
    if (channelSystems.has(source.system)) {
      const channels = config.channels.filter((channel) => channel.source === source.name);
      const locations = [...new Set(channels.flatMap((channel) => channel.locations))];
      if (channels.length === 0 && !isTruthSomewhere) {
        const everywhere = config.locations.map((location) => location.id).join(', ');
        findings.push({
          severity: 'error',
          subject: `source ${source.name}`,
          problem: `no channel publishes through this ${source.system} source, so its figures are never compared with the truth (a storefront's available figure is held to a channel's share of the truth's stock)`,
          fix: `add to the config: channels: [{ name: ${source.name}, kind: ${source.system === 'marketplace' ? 'marketplace' : 'web'}, source: ${source.name}, locations: [${everywhere}] }] (the locations whose stock it sells)`,
        });
      } else if (channels.length > 0 && !locations.some((id) => truthAt.get(id) && truthAt.get(id) !== source.name)) {
        findings.push({
          severity: 'error',
          subject: `source ${source.name}`,
          problem: `its channels (${channels.map((c) => c.name).join(', ')}) list only locations without another source's truth (${locations.join(', ')}), so it is never compared`,
          fix: 'list locations with a truth_source in the channel, or set truth_source on those locations',
        });
      }
    } else if (!isTruthSomewhere && truthSources.size === 0) {
      findings.push({ severity: 'error', subject: `source ${source.name}`, problem: 'never compared: no location has a truth to compare it with', fix: 'set truth_source on the locations' });
    }
    findings.push(...(await checkFolder(source, config)));
    const staleness = checkSchedule(source);
    if (staleness) findings.push(staleness);
  }

  const byPath = new Map<string, string[]>();
  for (const source of config.sources.filter((s) => s.path)) byPath.set(source.path!, [...(byPath.get(source.path!) ?? []), source.name]);
  for (const [folder, names] of byPath) {
    if (names.length < 2) continue;
    findings.push({ severity: 'error', subject: `sources ${names.join(', ')}`, problem: `read the same folder ${folder}, so each lands the other's files as its own`, fix: 'give each source its own folder' });
  }
  return findings;
}

/** A file source's folder: missing, not a folder, or holding files its connector will not read. */
async function checkFolder(source: SourceConfig, config: Config): Promise<SetupFinding[]> {
  if (!source.path) return [];
  const subject = `source ${source.name}`;
  if (!existsSync(source.path)) return [{ severity: 'error', subject, problem: `folder ${source.path} does not exist`, fix: "create it, or set this source's path to the folder its exports land in" }];
  if (!statSync(source.path).isDirectory()) return [{ severity: 'error', subject, problem: `${source.path} is a file, not a folder`, fix: "set this source's path to the folder its exports land in" }];
  const ignored: IgnoredFile[] = [];
  try {
    await connectorFor(source, config).listBatches((file) => ignored.push(file));
  } catch (error) {
    return [{ severity: 'error', subject, problem: error instanceof Error ? error.message : String(error), fix: 'see the message' }];
  }
  return ignored.map((file) => ({ severity: 'warning' as const, subject: file.file, problem: `ignored by source ${source.name}: ${file.reason}`, fix: file.fix }));
}

/** A schedule whose longest gap between runs exceeds the source's max_staleness reads stale before each run. */
function checkSchedule(source: SourceConfig): SetupFinding | undefined {
  if (source.connector === 'shopify-webhook') return undefined;
  const allowedMs = parseDurationMs(source.max_staleness);
  if (!allowedMs) return undefined;
  const runs = CronExpressionParser.parse(source.schedule, { currentDate: new Date('2026-01-05T00:00:00Z'), tz: 'UTC' });
  let previous = runs.next().toDate().getTime();
  let longestGapMs = 0;
  for (let index = 0; index < 200; index++) {
    const next = runs.next().toDate().getTime();
    longestGapMs = Math.max(longestGapMs, next - previous);
    previous = next;
  }
  if (longestGapMs <= allowedMs) return undefined;
  return {
    severity: 'warning',
    subject: `source ${source.name}`,
    problem: `schedule "${source.schedule}" leaves up to ${formatDuration(longestGapMs)} between runs, longer than its max_staleness ${source.max_staleness}: it reads stale before each run`,
    fix: `run it more often, or raise max_staleness to at least ${formatDuration(longestGapMs)}`,
  };
}
