import { z } from 'zod';
import { cronExpression, duration, identifier } from './config-values.ts';

/** The `alerts:` section of stocklens.config.yaml: rules, receivers, routes, timing and digests. */

// Every rule has a unique name (its alerts' `rule` label), a severity and extra labels used by routes.
const severity = z.enum(['info', 'warning', 'critical']);
const labels = z.record(z.string(), z.string()).default({});
const ruleBase = { name: identifier, severity: severity.default('warning'), labels };
const email = z.string().email();

export const alertRuleKinds = ['open_mismatch', 'mismatch_rate', 'oversell', 'stock_cancellations', 'stale_source', 'held_batch', 'needs_faster_sync'] as const;

const alertRule = z.discriminatedUnion('kind', [
  z.strictObject({
    ...ruleBase,
    kind: z.literal('open_mismatch'),
    /** How long a (SKU, system) must have disagreed; default two of that system's sync intervals, at least 1 h. */
    min_age: duration.optional(),
    /** The smallest difference in units worth a lead's time. */
    min_units: z.number().int().min(1).default(1),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('mismatch_rate'),
    /** `anomaly` compares today's rate with the trailing baseline; `threshold` with a fixed rate. */
    mode: z.enum(['anomaly', 'threshold']).default('anomaly'),
    threshold: z.number().min(0).max(1).default(0.05),
    baseline_days: z.number().int().min(2).default(28),
    min_training_days: z.number().int().min(1).default(7),
    z: z.number().positive().default(3),
    /** The rate must exceed the baseline by at least this much (absolute share), however large z is. */
    min_change: z.number().min(0).max(1).default(0.02),
    /** Comparisons (bucket × SKU) a day needs before its rate is trusted. */
    min_compared: z.number().int().min(1).default(20),
    /** Smallest spread of the z-score, so a perfectly flat baseline does not make every blip infinite. */
    floor: z.number().min(0).default(0.005),
  }),
  z.strictObject({ ...ruleBase, kind: z.literal('oversell'), window: duration.default('24h'), min_lines: z.number().int().min(1).default(1) }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('stock_cancellations'),
    window: duration.default('7d'),
    threshold: z.number().min(0).max(1).default(0.02),
    min_lines: z.number().int().min(1).default(3),
  }),
  z.strictObject({ ...ruleBase, kind: z.literal('stale_source') }),
  z.strictObject({ ...ruleBase, kind: z.literal('held_batch') }),
  z.strictObject({ ...ruleBase, kind: z.literal('needs_faster_sync'), min_skus: z.number().int().min(1).default(1) }),
]);

/** With no rules configured every kind runs once with its defaults. */
export const defaultAlertRules = [
  { name: 'open-mismatches', kind: 'open_mismatch', severity: 'warning' },
  { name: 'mismatch-rate', kind: 'mismatch_rate', severity: 'warning' },
  { name: 'oversell', kind: 'oversell', severity: 'critical' },
  { name: 'stock-cancellations', kind: 'stock_cancellations', severity: 'warning' },
  { name: 'stale-source', kind: 'stale_source', severity: 'warning' },
  { name: 'held-batch', kind: 'held_batch', severity: 'critical' },
  { name: 'needs-faster-sync', kind: 'needs_faster_sync', severity: 'info' },
] as const;

const matchers = z.record(z.string(), z.string()).refine((value) => Object.keys(value).length > 0, { error: 'a matcher needs at least one label, for example {location: WH-EAST}' });

export const alertsSchema = z
  .strictObject({
    rules: z.array(alertRule).default(() => defaultAlertRules.map((rule) => alertRule.parse(rule))),
    /** Named lists of addresses that routes send to; each location's lead is the receiver `lead:<location id>`. */
    receivers: z.array(z.strictObject({ name: identifier, to: z.array(email).min(1) })).default([]),
    /** Checked in order; the first match wins unless it says `continue: true`. Unmatched alerts go to the leads of their location. */
    routes: z.array(z.strictObject({ match: matchers, receiver: z.string(), continue: z.boolean().default(false) })).default([]),
    /** Receiver for alerts no route and no location lead claims (held batches, sync priority of a source without locations). */
    default_receiver: z.string().optional(),
    /** An alert its rule stops reporting stays firing this long, so a flapping metric is one episode (Prometheus keep_firing_for). */
    keep_firing_for: duration.default('15m'),
    group_wait: duration.default('30s'),
    group_interval: duration.default('5m'),
    // 12 h rather than Alertmanager's 4 h: the rates are daily figures, so a still-firing alert has little new to say sooner.
    repeat_interval: duration.default('12h'),
    retry_initial: duration.default('30s'),
    retry_max: duration.default('15m'),
    silences: z.array(z.strictObject({ match: matchers, until: z.iso.datetime({ offset: true }), comment: z.string().optional() })).default([]),
    /** Base URL of the dashboard in email links; defaults to server.public_url, then http://localhost:<port>. */
    dashboard_url: z.string().url().optional(),
    digest: z
      .strictObject({
        /** Cron in the config's timezone; Monday 07:00 by default. */
        schedule: cronExpression.default('0 7 * * 1'),
        recipients: z.array(email).default([]),
      })
      .prefault({}),
    /** The leads' daily digest, opt-in: the locations whose lead gets it, on this schedule (config timezone). */
    lead_digest: z
      .strictObject({
        schedule: cronExpression.default('0 7 * * *'),
        locations: z.array(z.string()).default([]),
      })
      .prefault({}),
  })
  .superRefine((alerts, context) => {
    const ruleNames = new Set<string>();
    alerts.rules.forEach((rule, index) => {
      if (ruleNames.has(rule.name)) context.addIssue({ code: 'custom', path: ['rules', index, 'name'], message: `duplicate rule name ${JSON.stringify(rule.name)}` });
      ruleNames.add(rule.name);
    });
    const receiverNames = new Set(alerts.receivers.map((receiver) => receiver.name));
    alerts.routes.forEach((route, index) => {
      if (!receiverNames.has(route.receiver) && !route.receiver.startsWith('lead:')) {
        context.addIssue({ code: 'custom', path: ['routes', index, 'receiver'], message: `${JSON.stringify(route.receiver)} is not one of the receivers (${[...receiverNames].join(', ') || 'none defined'}) nor lead:<location id>` });
      }
    });
    if (alerts.default_receiver !== undefined && !receiverNames.has(alerts.default_receiver)) {
      context.addIssue({ code: 'custom', path: ['default_receiver'], message: `${JSON.stringify(alerts.default_receiver)} is not one of the receivers` });
    }
  });
