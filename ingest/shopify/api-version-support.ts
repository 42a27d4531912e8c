/**
 * Shopify releases an Admin API version each quarter (YYYY-01, -04, -07, -10) and supports each
 * for at least 12 months from its release; a request to a version past that is served by the
 * oldest supported one, whose fields may differ.
 */
const supportMonths = 12;
/** Warn this long before a version's support ends, to leave a quarter for the upgrade. */
const warnBeforeDays = 90;

/** The newest stable version released by `now`: what a new source should use. */
export function latestStableVersion(now: Date): string {
  const year = now.getUTCFullYear();
  const quarterMonth = Math.floor(now.getUTCMonth() / 3) * 3 + 1;
  return `${year}-${String(quarterMonth).padStart(2, '0')}`;
}

/** The first day a version is no longer guaranteed: 12 months after its release. */
export function supportEndsAt(version: string): Date {
  const [year, month] = version.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 + supportMonths, 1));
}

/** A warning when the configured version's support ends within 90 days or has ended; else undefined. */
export function apiVersionWarning(version: string, now: Date): string | undefined {
  const endsAt = supportEndsAt(version);
  const daysLeft = Math.floor((endsAt.getTime() - now.getTime()) / 86_400_000);
  const end = endsAt.toISOString().slice(0, 10);
  const advice = `set api_version to ${latestStableVersion(now)} (Shopify supports each version for 12 months)`;
  if (daysLeft < 0) return `shopify api_version ${version} is past its support end (${end}): Shopify now answers with another version; ${advice}`;
  if (daysLeft <= warnBeforeDays) return `shopify api_version ${version} reaches its support end on ${end} (in ${daysLeft} days): ${advice}`;
  return undefined;
}
