import type { Config } from '../core/load-config.ts';
import type { AlertCandidate } from './alert.ts';
import { alertKey } from './alert.ts';

/**
 * A stale source explains its own mismatches: while (source, location) is stale, the mismatch
 * alerts of that source at that location are muted, and a stale truth source mutes every
 * mismatch alert of its location (they are all measured against it). One root cause, one alert.
 * Likewise a held batch mutes the staleness it causes. Returns, per muted alert key, the key of the stale-source alert that mutes it.
 */
export function inhibitions(config: Config, candidates: AlertCandidate[]): Map<string, string> {
  const stale = candidates.filter((candidate) => candidate.kind === 'stale_source');
  const muted = new Map<string, string>();
  for (const candidate of candidates) {
    if (candidate.kind !== 'mismatch_rate') continue;
    const { location, source } = candidate.entity;
    const truth = config.locations.find((entry) => entry.id === location)?.truth_source;
    // A stale-source alert without a location (the mart's freshness is per source) covers every location.
    const cause = stale.find((entry) => (entry.entity.location === undefined || entry.entity.location === location) && (entry.entity.source === source || entry.entity.source === truth));
    if (cause) muted.set(alertKey(candidate.rule, candidate.entity), alertKey(cause.rule, cause.entity));
  }
  // A source stale only because its last full batch was held: the held-batch alert is the cause.
  for (const candidate of stale) {
    if (candidate.labels.held !== 'true') continue;
    const cause = candidates.find((entry) => entry.kind === 'held_batch' && entry.entity.source === candidate.entity.source);
    if (cause) muted.set(alertKey(candidate.rule, candidate.entity), alertKey(cause.rule, cause.entity));
  }
  return muted;
}
