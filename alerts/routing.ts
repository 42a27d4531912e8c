import type { Config } from '../core/load-config.ts';

export interface Receiver {
  name: string;
  /** Who it is, as the email greets them: `the lead of East DC (WH-EAST)`. */
  label: string;
  to: string[];
}

export const leadReceiver = (locationId: string) => `lead:${locationId}`;

/** The configured receivers plus one `lead:<location>` per location with a lead_email. */
export function receiversOf(config: Config): Map<string, Receiver> {
  const receivers = new Map<string, Receiver>();
  for (const location of config.locations) {
    if (location.lead_email) receivers.set(leadReceiver(location.id), { name: leadReceiver(location.id), label: `the lead of ${location.name} (${location.id})`, to: [location.lead_email] });
  }
  for (const receiver of config.alerts.receivers) receivers.set(receiver.name, { name: receiver.name, label: receiver.name, to: [...receiver.to] });
  return receivers;
}

export function labelsMatch(matchers: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(matchers).every(([name, value]) => labels[name] === value);
}

/**
 * The receivers of an alert, Alertmanager-style: configured routes in order (the first match wins
 * unless it says continue); otherwise the lead of the alert's location; otherwise, for alerts
 * about a source (a held batch, sync priority), the default receiver, or else the leads of the
 * locations that source feeds (as their truth or as a channel), so nothing goes unrouted.
 */
export function routeAlert(config: Config, labels: Readonly<Record<string, string>>): string[] {
  const receivers = receiversOf(config);
  const chosen: string[] = [];
  for (const route of config.alerts.routes) {
    if (!labelsMatch(route.match, labels)) continue;
    chosen.push(route.receiver);
    if (!route.continue) break;
  }
  if (chosen.length > 0) return [...new Set(chosen)].filter((name) => receivers.has(name));
  if (labels.location !== undefined) return receivers.has(leadReceiver(labels.location)) ? [leadReceiver(labels.location)] : fallback(config);
  if (config.alerts.default_receiver) return [config.alerts.default_receiver];
  const fed = labels.source === undefined ? [] : locationsFedBy(config, labels.source);
  const leads = (fed.length > 0 ? fed : config.locations.map((location) => location.id)).map(leadReceiver).filter((name) => receivers.has(name));
  return [...new Set(leads)].sort();
}

function fallback(config: Config): string[] {
  return config.alerts.default_receiver ? [config.alerts.default_receiver] : [];
}

function locationsFedBy(config: Config, source: string): string[] {
  const asTruth = config.locations.filter((location) => location.truth_source === source).map((location) => location.id);
  const asChannel = config.channels.filter((channel) => channel.source === source).flatMap((channel) => channel.locations);
  return [...asTruth, ...asChannel];
}
