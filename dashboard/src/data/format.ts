/** Number and date formatting for people: compact where a tile has room for four characters. */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Up to six decimals, with the same thousands separators as whole numbers in the same column. */
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** Stock quantities keep the four places they are stored with (0.0025 kg). */
const quantity = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const moneyExact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
/** The config's time zone, which the server writes into the page; UTC without it. */
export const displayTimeZone = (typeof document !== 'undefined' && document.querySelector('meta[name="stocklens-timezone"]')?.getAttribute('content')) || 'UTC';
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: displayTimeZone });
/** The zone's short name at a moment (CET or CEST, GMT+1): daylight saving changes it. */
const zoneFormat = new Intl.DateTimeFormat('en-US', { timeZone: displayTimeZone, timeZoneName: 'short' });
const zoneName = (date: Date) => zoneFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? displayTimeZone;

export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** Counts and stock quantities: whole numbers as integers, decimal stock (12.5 kg) with its decimals. */
export function formatCount(value: unknown): string {
  if (isMissing(value)) return '–';
  const n = Number(value);
  return Math.abs(n) >= 100_000 ? compact.format(n) : Number.isInteger(n) ? integer.format(n) : quantity.format(n);
}

/**
 * An average count of units (units hidden per hour): one decimal below ten (0.3 units hidden is
 * not 0), whole units above. An average is not a stock quantity: it does not keep four places.
 */
export function formatAverageUnits(value: unknown): string {
  if (isMissing(value)) return '–';
  const units = Number(value);
  return Math.abs(units) < 10 && units !== 0 ? units.toFixed(1) : formatCount(Math.round(units));
}

/** Always compact (95.9K): for figures read side by side in a sentence. */
export function formatCompact(value: unknown): string {
  if (isMissing(value)) return '–';
  const n = Number(value);
  return Math.abs(n) >= 10_000 ? compact.format(n) : integer.format(n);
}

export function formatInteger(value: unknown): string {
  return isMissing(value) ? '–' : integer.format(Number(value));
}

/** A share in [0, 1] as a percentage; small rates keep two decimals so 0.4% is not shown as 0%. */
export function formatPercent(value: unknown): string {
  if (isMissing(value)) return '–';
  const percent = Number(value) * 100;
  const digits = Math.abs(percent) < 10 ? 2 : 1;
  return `${percent.toFixed(digits)}%`;
}

/** Axis ticks: as few decimals as the tick values need (0%, 2.5%, 10%). */
export function formatPercentTick(value: unknown): string {
  if (isMissing(value)) return '';
  return `${Number((Number(value) * 100).toFixed(2))}%`;
}

export function formatMoney(value: unknown, { exact = false } = {}): string {
  if (isMissing(value)) return '–';
  const amount = Number(value);
  // Compact notation only pays off from thousands on: $348, not $347.9.
  return (exact || Math.abs(amount) < 1000 ? moneyExact : money).format(amount);
}

export function formatMinutes(value: unknown): string {
  if (isMissing(value)) return '–';
  const minutes = Number(value);
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(minutes < 600 ? 1 : 0)} h`;
  return `${(minutes / 1440).toFixed(1)} d`;
}

export function toDate(value: unknown): Date | undefined {
  if (isMissing(value)) return undefined;
  if (value instanceof Date) return value;
  const date = new Date(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : (value as string | number));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatDay(value: unknown): string {
  const date = toDate(value);
  return date ? dayFormat.format(date) : '–';
}

export function formatDateTime(value: unknown): string {
  const date = toDate(value);
  return date ? `${dateTimeFormat.format(date)} ${zoneName(date)}` : '–';
}

/** YYYY-MM-DD of a date value, as the API's from/to filters take it. */
export function isoDay(value: unknown): string | undefined {
  return toDate(value)?.toISOString().slice(0, 10);
}

export function formatValue(value: unknown): string {
  if (isMissing(value)) return '';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
  if (typeof value === 'number') return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
  if (typeof value === 'object') return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}
