import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';

/**
 * Vendor location names → Stocklens location ids: every configured location by its `name` (and
 * its id), overridden by the source's own `location_map`.
 */
export function vendorLocationNames(source: SourceConfig, config: Config): Map<string, string> {
  const names = new Map<string, string>();
  for (const location of config.locations) names.set(location.name, location.id);
  for (const [name, id] of Object.entries(source.location_map ?? {})) names.set(name, id);
  return names;
}

/** The channel whose availability this source publishes (config `channels[].source`). */
export function channelOf(source: SourceConfig, config: Config): string | undefined {
  return config.channels.find((channel) => channel.source === source.name)?.name;
}
