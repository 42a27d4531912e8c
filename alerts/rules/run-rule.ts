import type { AlertRuleConfig } from '../../core/config-schema.ts';
import type { AlertCandidate } from '../alert.ts';
import { heldBatchRule, needsFasterSyncRule, staleSourceRule } from './health-rules.ts';
import { mismatchRateRule } from './mismatch-rate-rule.ts';
import { openMismatchRule } from './open-mismatch-rule.ts';
import { oversellRule, stockCancellationsRule } from './order-line-rules.ts';
import type { RuleContext } from './rule-context.ts';

/** The tables each kind reads: checked first, so a missing mart is a clear message, not a failed query. */
export const ruleInputs: Record<AlertRuleConfig['kind'], string[]> = {
  open_mismatch: ['marts.fct_mismatch_segment', 'marts.fct_source_freshness'],
  mismatch_rate: ['marts.agg_mismatch_rate', 'marts.fct_mismatch'],
  oversell: ['marts.fct_order_line'],
  stock_cancellations: ['marts.fct_order_line'],
  stale_source: ['marts.fct_source_freshness'],
  held_batch: ['ingest.batches'],
  needs_faster_sync: ['marts.rpt_sync_priority'],
};

/** Runs one configured rule: the alerts it reports as firing now. */
export async function runRule(context: RuleContext): Promise<AlertCandidate[]> {
  const { rule } = context;
  for (const table of ruleInputs[rule.kind]) {
    const [schema, name] = table.split('.');
    const found = await context.connection.relationKind(schema!, name!);
    if (!found) throw new Error(`rule ${rule.name} needs ${table}, which does not exist yet: run \`stocklens build\` first`);
  }
  switch (rule.kind) {
    case 'open_mismatch':
      return openMismatchRule({ ...context, rule });
    case 'mismatch_rate':
      return mismatchRateRule({ ...context, rule });
    case 'oversell':
      return oversellRule({ ...context, rule });
    case 'stock_cancellations':
      return stockCancellationsRule({ ...context, rule });
    case 'stale_source':
      return staleSourceRule({ ...context, rule });
    case 'held_batch':
      return heldBatchRule({ ...context, rule });
    case 'needs_faster_sync':
      return needsFasterSyncRule({ ...context, rule });
  }
}

