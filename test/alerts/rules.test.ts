import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeMismatchRate } from '../../alerts/rules/mismatch-anomaly.ts';
import { inhibitions } from '../../alerts/inhibition.ts';
import { receiversOf, routeAlert, scopeAlert } from '../../alerts/routing.ts';
import type { AlertCandidate, AlertState } from '../../alerts/alert.ts';
import { ConfigError } from '../../core/errors.ts';
import { parseConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { needsFasterSyncRule } from '../../alerts/rules/health-rules.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { createMarts } from './helpers/mart-fixture.ts';

const base = `
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./wms }
  - { name: shopify, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./shopify }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./erp }
locations:
  - { id: WH-EAST, name: East DC, lead_email: east@example.com }
  - { id: WH-WEST, name: West DC, lead_email: west@example.com }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST] }
`;
const configOf = (alerts = '') => parseConfig(`${base}${alerts}`, path.resolve('stocklens.config.yaml'));
const anomalyRule = () => configOf().alerts.rules.find((rule) => rule.kind === 'mismatch_rate')! as Extract<ReturnType<typeof configOf>['alerts']['rules'][number], { kind: 'mismatch_rate' }>;
const days = (rates: number[], compared = 200) => rates.map((rate) => ({ compared, mismatched: Math.round(rate * compared) }));

describe('mismatch rate anomaly', () => {
  it('fires when today is far above a pooled baseline that excludes today', () => {
    const judgement = judgeMismatchRate({ compared: 200, mismatched: 24 }, days(Array(28).fill(0.02)), anomalyRule());
    expect(judgement).toMatchObject({ fires: true, reference: 0.02, trainingDays: 28 });
    expect(judgement.z).toBeGreaterThan(3);
  });

  it('stays quiet for a significant but small change (min_change) and for low volume (min_compared)', () => {
    // 100,000 comparisons a day make a 0.5-point rise "significant"; it is not worth an email.
    const small = judgeMismatchRate({ compared: 100_000, mismatched: 2500 }, days(Array(28).fill(0.02), 100_000), { ...anomalyRule(), floor: 0 });
    expect(small.z).toBeGreaterThan(10);
    expect(small).toMatchObject({ fires: false, reason: 'change 0.005 below min_change 0.02' });
    expect(judgeMismatchRate({ compared: 10, mismatched: 9 }, days(Array(28).fill(0.02)), anomalyRule()).reason).toContain('min_compared');
  });

  it('needs min_training_days of history before judging', () => {
    const judgement = judgeMismatchRate({ compared: 200, mismatched: 60 }, days([0.02, 0.02, 0.02]), anomalyRule());
    expect(judgement.fires).toBe(false);
    expect(judgement.reason).toBe('only 3 training days (min_training_days 7)');
  });

  it('widens the spread by the baseline days\' own noise (MAD), so a noisy source needs a larger jump', () => {
    const noisy = days(Array.from({ length: 28 }, (_, day) => (day % 2 === 0 ? 0.01 : 0.09)));
    const judgement = judgeMismatchRate({ compared: 200, mismatched: 24 }, noisy, anomalyRule());
    expect(judgement.spread).toBeCloseTo(1.4826 * 0.04, 5);
    expect(judgement.fires).toBe(false);
  });

  it('compares with a fixed rate in threshold mode', () => {
    const config = configOf('alerts: { rules: [{ name: fixed, kind: mismatch_rate, mode: threshold, threshold: 0.1 }] }');
    const rule = config.alerts.rules[0] as ReturnType<typeof anomalyRule>;
    expect(judgeMismatchRate({ compared: 200, mismatched: 22 }, [], rule).fires).toBe(true);
    expect(judgeMismatchRate({ compared: 200, mismatched: 18 }, [], rule).fires).toBe(false);
  });
});

describe('alerts config', () => {
  it('applies the default rule set and timings when the config has no alerts section', () => {
    const { alerts } = configOf();
    expect(alerts.rules.map((rule) => rule.kind)).toEqual(['open_mismatch', 'mismatch_rate', 'oversell', 'stock_cancellations', 'stale_source', 'held_batch', 'needs_faster_sync']);
    expect(alerts).toMatchObject({ group_wait: '30s', group_interval: '5m', repeat_interval: '12h', digest: { schedule: '0 7 * * 1', recipients: [] } });
  });

  it('names the key and what was expected when a rule or route is wrong', () => {
    expect(() => configOf('alerts: { rules: [{ name: x, kind: mismatch_rate, z: -1 }] }')).toThrow(/alerts\.rules\[0\]\.z/);
    expect(() => configOf('alerts: { rules: [{ name: x, kind: oversel }] }')).toThrow(ConfigError);
    expect(() => configOf('alerts: { routes: [{ match: { location: WH-EAST }, receiver: nobody }] }')).toThrow(/alerts\.routes\[0\]\.receiver: "nobody" is not one of the receivers/);
    expect(() => configOf('alerts: { digest: { schedule: "every monday" } }')).toThrow(/alerts\.digest\.schedule/);
  });
});

describe('routing and inhibition', () => {
  it('routes by labels: configured routes first, then the location\'s lead, then the system\'s owner, else ops', () => {
    const config = configOf(`
alerts:
  receivers: [{ name: ops, to: [ops@example.com] }, { name: buyers, to: [buy@example.com] }]
  routes:
    - { match: { severity: critical }, receiver: ops, continue: true }
    - { match: { kind: oversell }, receiver: buyers }
`);
    expect(routeAlert(config, { location: 'WH-EAST', kind: 'oversell', severity: 'critical' })).toEqual(['ops', 'buyers']);
    expect(routeAlert(config, { location: 'WH-WEST', kind: 'mismatch_rate', severity: 'warning' })).toEqual(['lead:WH-WEST']);
    // A system-wide alert lists SKUs of every location: never to the leads.
    expect(routeAlert(config, { source: 'shopify', kind: 'needs_faster_sync', severity: 'info' })).toEqual(['ops']);
    expect(routeAlert(config, { source: 'wms', kind: 'held_batch', severity: 'warning' })).toEqual(['ops']);
    const owned = parseConfig(base.replace('path: ./shopify }', 'path: ./shopify, owner_email: shop-owner@example.com }'), path.resolve('stocklens.config.yaml'));
    expect(routeAlert(owned, { source: 'shopify', kind: 'stale_source', severity: 'warning' })).toEqual(['owner:shopify']);
    expect(receiversOf(owned).get('owner:shopify')?.to).toEqual(['shop-owner@example.com']);
    // No owner, no default receiver, no ops: unrouted rather than sent to every lead.
    expect(routeAlert(owned, { source: 'erp', kind: 'held_batch', severity: 'critical' })).toEqual([]);
  });

  it("gives a lead only their own location's alerts and rows", () => {
    const config = configOf();
    const lead = receiversOf(config).get('lead:WH-EAST')!;
    const table = { columns: ['location_id', 'sku'], rows: [['WH-EAST', 'SKU-1'], ['WH-WEST', 'SKU-2'], ['WH-EAST', 'SKU-3']] };
    const state = { key: 'k', labels: { source: 'shopify' }, top: table, rows: table, totalRows: 3 } as unknown as AlertState;
    expect(scopeAlert(lead, state)).toMatchObject({ rows: { rows: [['WH-EAST', 'SKU-1'], ['WH-EAST', 'SKU-3']] }, totalRows: 2 });
    expect(scopeAlert(lead, { ...state, labels: { location: 'WH-WEST' } })).toBeUndefined();
    expect(scopeAlert(lead, { ...state, rows: { columns: table.columns, rows: [['WH-WEST', 'SKU-2']] } })).toBeUndefined();
  });

  it('mutes the mismatch alerts of a stale source at its location, all of a location\'s when its truth is stale, and staleness a held batch causes', () => {
    const config = configOf();
    const alert = (rule: string, kind: AlertCandidate['kind'], entity: Record<string, string>) => ({ rule, kind, entity, labels: {} }) as unknown as AlertCandidate;
    const candidates = [
      alert('stale', 'stale_source', { location: 'WH-EAST', source: 'shopify' }),
      alert('stale', 'stale_source', { location: 'WH-WEST', source: 'wms' }),
      alert('rate', 'mismatch_rate', { location: 'WH-EAST', source: 'shopify' }),
      alert('rate', 'mismatch_rate', { location: 'WH-EAST', source: 'erp' }),
      alert('rate', 'mismatch_rate', { location: 'WH-WEST', source: 'erp' }),
    ];
    candidates.push({ rule: 'stale', kind: 'stale_source', entity: { source: 'erp' }, labels: { held: 'true' } } as unknown as AlertCandidate);
    candidates.push({ rule: 'held', kind: 'held_batch', entity: { source: 'erp', batch: 'b1' }, labels: {} } as unknown as AlertCandidate);
    expect(Object.fromEntries(inhibitions(config, candidates))).toEqual({
      'stale|source=erp': 'held|batch=b1|source=erp',
      'rate|location=WH-EAST|source=erp': 'stale|source=erp',
      'rate|location=WH-EAST|source=shopify': 'stale|location=WH-EAST|source=shopify',
      'rate|location=WH-WEST|source=erp': 'stale|location=WH-WEST|source=wms',
    });
  });
});

describe('needs faster sync', () => {
  const tempDir = useTempDir('stocklens-sync-rule-');

  it("words the model's flag with the count's grammar and the shortest recommended interval", async () => {
    const db = await Database.open(path.join(tempDir(), 'stocklens.duckdb'));
    try {
      await createMarts(db);
      await db.run(`insert into marts.rpt_sync_priority
        (source, sku, mismatch_buckets, max_consecutive, units_per_hour, p95_lag_minutes, exposure, current_sync_minutes, recommended_sync_minutes, needs_faster_sync) values
        ('shopify', 'SKU-1', 14, 14, 2.0, 840, 9.5, 15, 10, true),
        ('shopify', 'SKU-2', 3, 2, 0.2, 120, 0.4, 15, 60, false),
        ('erp', 'SKU-1', 20, 12, 1.0, 720, 4.0, 360, 120, true),
        ('erp', 'SKU-3', 9, 6, 0.8, 360, 3.0, 360, 240, true)`);
      const rule = configOf().alerts.rules.find((candidate) => candidate.kind === 'needs_faster_sync')! as Parameters<typeof needsFasterSyncRule>[0]['rule'];
      const connection = await db.connect();
      const alerts = await needsFasterSyncRule({ config: configOf(), connection, rule, now: new Date('2026-11-23T10:00:00Z') });
      expect(alerts.map((alert) => [alert.title, alert.summary])).toEqual([
        ['erp: 2 SKUs need faster sync (every 2 h recommended)', '2 SKUs on erp stay mismatched for longer than one sync interval while they sell; syncing every 2 h instead of every 6 h keeps expected oversold units below one a week.'],
        ['shopify: 1 SKU needs faster sync (every 10 min recommended)', '1 SKU on shopify stays mismatched for longer than one sync interval while it sells; syncing every 10 min instead of every 15 min keeps expected oversold units below one a week.'],
      ]);
    } finally {
      db.closeSync();
    }
  });
});
