import type { AlertRuleConfig } from '../../core/config-schema.ts';

type MismatchRateRule = Extract<AlertRuleConfig, { kind: 'mismatch_rate' }>;

export interface DayCount {
  compared: number;
  mismatched: number;
}

export interface MismatchJudgement {
  fires: boolean;
  rate: number;
  /** Pooled baseline rate (anomaly mode) or the threshold (threshold mode). */
  reference: number;
  spread: number | null;
  z: number | null;
  trainingDays: number;
  /** Why it does not fire, for dry runs and backtests. */
  reason: string;
}

/**
 * Judges one day's mismatch rate of a (location, source). Threshold mode compares with a fixed
 * rate. Anomaly mode compares with the trailing days only (the judged day is never part of its own
 * baseline, or a large incident would raise the bar it is measured against): pooled rate p over
 * the baseline, spread = max(binomial sd sqrt(p(1-p)/n) at today's volume, 1.4826·MAD of the daily
 * rates (a robust sd that absorbs day-to-day noise a binomial model misses), floor), and it fires
 * at z >= rule.z when the rate also exceeds p by min_change, so tiny but "significant" moves at
 * high volume stay quiet.
 */
export function judgeMismatchRate(today: DayCount, baseline: DayCount[], rule: MismatchRateRule): MismatchJudgement {
  const rate = today.compared > 0 ? today.mismatched / today.compared : 0;
  const base = { rate, spread: null, z: null, trainingDays: 0 };
  if (today.compared < rule.min_compared) {
    return { ...base, fires: false, reference: rule.mode === 'threshold' ? rule.threshold : 0, reason: `only ${today.compared} comparisons (min_compared ${rule.min_compared})` };
  }
  if (rule.mode === 'threshold') {
    const fires = rate >= rule.threshold;
    return { ...base, fires, reference: rule.threshold, reason: fires ? 'over threshold' : 'under threshold' };
  }
  const training = baseline.filter((day) => day.compared > 0);
  const compared = training.reduce((sum, day) => sum + day.compared, 0);
  const mismatched = training.reduce((sum, day) => sum + day.mismatched, 0);
  const p = compared > 0 ? mismatched / compared : 0;
  if (training.length < rule.min_training_days) {
    return { ...base, fires: false, reference: p, trainingDays: training.length, reason: `only ${training.length} training days (min_training_days ${rule.min_training_days})` };
  }
  const binomial = Math.sqrt((p * (1 - p)) / today.compared);
  const rates = training.map((day) => day.mismatched / day.compared);
  const spread = Math.max(binomial, 1.4826 * medianAbsoluteDeviation(rates), rule.floor);
  const z = spread > 0 ? (rate - p) / spread : rate > p ? Infinity : 0;
  const fires = z >= rule.z && rate - p >= rule.min_change;
  const reason = fires ? 'anomalous' : z < rule.z ? `z ${z.toFixed(1)} below ${rule.z}` : `change ${(rate - p).toFixed(3)} below min_change ${rule.min_change}`;
  return { fires, rate, reference: p, spread, z, trainingDays: training.length, reason };
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianAbsoluteDeviation(values: number[]): number {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}
