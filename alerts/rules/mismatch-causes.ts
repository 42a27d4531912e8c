import { formatInstant } from '../email/html.ts';

/** One open mismatch as marts.fct_mismatch_segment gives it: the figures and the evidence of its cause. */
export interface OpenMismatch {
  source: string;
  system: string;
  truth_source: string;
  probable_cause: string;
  episode_from: string;
  truth_units: number;
  system_units: number;
  diff_units: number;
  truth_committed: number | null;
  truth_in_transit: number | null;
  truth_quality_control: number | null;
  evidence_event_id: string | null;
  evidence_reason: string | null;
  evidence_reference: string | null;
  evidence_at: string | null;
  evidence_delta: number | null;
}

export interface CauseExplanation {
  /** What the data shows, naming the event: `cycle count ADJ-12 (-5 units) at 2026-01-13 19:30 UTC never reached the ERP`. */
  evidence: string;
  /** What to do about it. */
  action: string;
}

/** How a system is named in a sentence: the generic systems by their kind, storefronts and marketplaces by their source name. */
export function systemName(source: string, system: string): string {
  return system === 'erp' || system === 'wms' || system === 'oms' ? `the ${system.toUpperCase()}` : source;
}

const reasonWords: Record<string, string> = {
  cycle_count: 'cycle count',
  correction: 'correction',
  shrinkage: 'shrinkage write-off',
  damaged: 'damaged write-off',
  found: 'found stock',
};

const signed = (units: number) => `${units > 0 ? '+' : ''}${units}`;
const unitsOf = (count: number) => `${count} unit${Math.abs(count) === 1 ? '' : 's'}`;

/**
 * The evidence and the action for each probable cause (the causes of marts.fct_mismatch): the one
 * place that says what a cause means to the person who has to fix it.
 */
export function explainCause(row: OpenMismatch, timeZone: string): CauseExplanation {
  const system = systemName(row.source, row.system);
  const at = (iso: string | null) => (iso ? formatInstant(iso, timeZone) : 'an unknown time');
  const event = row.evidence_reference ?? row.evidence_event_id;
  const diff = Math.abs(row.diff_units);
  switch (row.probable_cause) {
    case 'unsynced_adjustment':
      return {
        evidence: event
          ? `${reasonWords[row.evidence_reason ?? ''] ?? row.evidence_reason} ${event} (${signed(row.evidence_delta ?? -row.diff_units)}) at ${at(row.evidence_at)} never reached ${system}`
          : `manual adjustments of ${signed(-row.diff_units)} units at the ${row.truth_source} never reached ${system}`,
        action: `re-sync the adjustment to ${system} (or key in ${signed(-row.diff_units)} there)`,
      };
    case 'transfer_not_reflected':
      return {
        evidence: `${event ? `transfer ${event} at ${at(row.evidence_at)}: ` : ''}${unitsOf(row.truth_in_transit ?? diff)} in transit out of the location still count as available on ${system}`,
        action: `post the transfer's shipment in ${system} so the units in transit leave its available stock`,
      };
    case 'return_before_qc':
      return {
        evidence: `${event ? `return ${event} at ${at(row.evidence_at)}: ` : ''}${unitsOf(row.truth_quality_control ?? diff)} in QC show as available on ${system}`,
        action: `release QC (or hold the units) and keep returns out of ${system}'s available figure until they pass`,
      };
    case 'reservation_ignored':
      return {
        evidence: `${system} shows ${unitsOf(diff)} more, exactly the units committed to open orders`,
        action: `make ${system} subtract committed orders (its sync publishes on hand where it should publish available)`,
      };
    case 'double_deduction':
      return {
        evidence: `${system} shows ${unitsOf(diff)} fewer, exactly the units committed to open orders: they are subtracted twice`,
        action: `stop ${system} subtracting committed orders a second time (check its reservation mapping)`,
      };
    case 'sync_lag':
      return {
        evidence: `${system} still shows ${row.system_units}, a figure the ${row.truth_source} had before ${at(row.episode_from)}`,
        action: `force a sync of this SKU to ${system} and check its sync job`,
      };
    default:
      return {
        evidence: `no recorded event or commitment explains the ${unitsOf(diff)}`,
        action: `count the SKU and correct whichever system is wrong`,
      };
  }
}
