import { axisX } from '@observablehq/plot';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourLabel = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });

/** The interval between ticks that suits a span: hours within two days, days within a few weeks, weeks beyond. */
export function tickIntervalOf(spanMs: number, width: number): string {
  const room = Math.max(2, Math.floor(width / 90));
  if (spanMs <= 2 * dayMs) {
    for (const hours of [1, 2, 3, 6, 12]) if (spanMs / (hours * hourMs) <= room) return hours === 1 ? 'hour' : `${hours} hours`;
    return 'day';
  }
  for (const days of [1, 2, 7, 14]) if (spanMs / (days * dayMs) <= room) return days === 1 ? 'day' : days === 7 ? 'week' : days === 14 ? '2 weeks' : `${days} days`;
  return 'month';
}

/**
 * The x axis of a time chart, with ticks chosen from the span of its data: hours for a day, days
 * for weeks. A fixed tick count formatted as days repeated "Dec 1" a dozen times on one day of data.
 * Hour ticks name the day only where it changes.
 */
export function timeAxisX(times: (Date | undefined | null)[], width: number, options: Record<string, unknown> = {}) {
  const known = times.filter((t): t is Date => t instanceof Date && !Number.isNaN(t.getTime())).map((t) => t.getTime());
  const spanMs = known.length > 1 ? Math.max(...known) - Math.min(...known) : 0;
  const interval = tickIntervalOf(spanMs, width);
  const hourly = interval.endsWith('hour') || interval.endsWith('hours');
  let lastDay = '';
  const tickFormat = (d: Date) => {
    if (!hourly) return dayLabel.format(d);
    const day = dayLabel.format(d);
    const text = day === lastDay ? hourLabel.format(d) : `${hourLabel.format(d)}\n${day}`;
    lastDay = day;
    return text;
  };
  // One point in time: a single tick at it, not a scale's worth of the same day.
  if (spanMs === 0 && known.length > 0) return axisX({ ticks: [new Date(known[0])], tickFormat: (d: Date) => dayLabel.format(d), ...options });
  return axisX({ ticks: interval, tickFormat, ...options });
}
