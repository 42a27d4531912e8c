/**
 * The words for rpt_sync_priority's flag, shared by the Sync priority page and the
 * needs_faster_sync alert so both say the same thing. Which SKUs are flagged is decided once, in
 * the model (`needs_faster_sync`: mismatches outlast a sync, high exposure, and a recommended
 * interval shorter than the current one); these only put it into words.
 */

/** Minutes as people read an interval: `45 min`, `2.5 h`, `14 h`, `1.5 d`. */
export function formatSyncMinutes(minutes: number): string {
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Number((minutes / 60).toFixed(minutes < 600 ? 1 : 0))} h`;
  return `${Number((minutes / 1440).toFixed(1))} d`;
}

/** `1 SKU needs faster sync`, `16 SKUs need faster sync`. */
export function needsFasterSyncCount(skus: number): string {
  return skus === 1 ? '1 SKU needs faster sync' : `${skus} SKUs need faster sync`;
}

/** What a source's flagged SKUs ask for: the shortest interval any of them recommends. */
export function recommendedSync(fastestMinutes: number | null, currentMinutes: number | null): string {
  const current = currentMinutes === null ? '' : `syncs every ${formatSyncMinutes(currentMinutes)}; `;
  return fastestMinutes === null ? `${current}that is enough` : `${current}every ${formatSyncMinutes(fastestMinutes)} recommended`;
}
