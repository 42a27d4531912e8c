import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { mismatchRateLines, type MismatchRateRow } from '../../dashboard/src/charts/mismatch-rate-lines.ts';
import { dataEndOf, hoursSoFar } from '../../dashboard/src/data/rollup.ts';

// Plot draws against a document; linkedom's stands in for the browser's, as in the alert emails.
beforeAll(() => {
  (globalThis as { window?: unknown }).window = parseHTML('<!doctype html><html><body></body></html>').window;
});

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const rows = (days: [string, number, number][]): MismatchRateRow[] =>
  days.flatMap(([iso, compared, mismatched]) => [
    { day: iso, location_id: 'WH-EAST', source: 'shopify', compared: compared / 2, mismatched },
    { day: iso, location_id: 'WH-WEST', source: 'shopify', compared: compared / 2, mismatched: 0 },
  ]);
const labels = (chart: Element) => [...chart.querySelectorAll('[aria-label]')].map((element) => element.getAttribute('aria-label')).filter((label) => label?.startsWith('shopify,'));

describe('the weeks tell where the data ends', () => {
  const weeks = [
    { week: '2026-02-23', location_id: 'ALL', is_partial: false, week_hours: 168 },
    { week: '2026-03-02', location_id: 'ALL', is_partial: true, week_hours: 53 },
    { week: '2026-03-02', location_id: 'WH-EAST', is_partial: true, week_hours: 53 },
  ];

  it('ends week_hours after the Monday of the week in progress', () => {
    expect(dataEndOf(weeks)?.toISOString()).toBe('2026-03-04T05:00:00.000Z');
  });

  it('says nothing when the latest week is whole, or is the first (its buckets may start after its Monday)', () => {
    expect(dataEndOf(weeks.slice(0, 1))).toBeUndefined();
    expect(dataEndOf([{ ...weeks[0]!, week: '2026-03-02' }, { ...weeks[0]! }])).toBeUndefined();
    expect(dataEndOf(weeks.slice(1))).toBeUndefined();
  });

  it('counts the hours of a period so far, and none for a whole one', () => {
    const end = dataEndOf(weeks);
    expect(hoursSoFar(day('2026-03-04'), 24, end)).toBe(5);
    expect(hoursSoFar(day('2026-03-03'), 24, end)).toBeUndefined();
    expect(hoursSoFar(day('2026-03-02'), 168, end)).toBe(53);
    expect(hoursSoFar(day('2026-02-23'), 168, end)).toBeUndefined();
    expect(hoursSoFar(day('2026-03-04'), 24, undefined)).toBeUndefined();
  });
});

describe('mismatch rate lines', () => {
  const daily = rows([
    ['2026-03-01', 1000, 40],
    ['2026-03-02', 1000, 30],
    ['2026-03-03', 1000, 20],
    // Five hours of the day: a few quiet comparisons, 0 mismatches.
    ['2026-03-04', 200, 0],
  ]);

  it('leaves out the day in progress and says how much of it there is so far', () => {
    const chart = mismatchRateLines(daily, 800, () => '#/rows', new Date('2026-03-04T05:00:00Z'));
    expect(chart.querySelector('figcaption')?.textContent).toBe('Mar 4 is still in progress (5 of 24 h so far) and left out.');
    expect(labels(chart)).toEqual(['shopify, Mar 1: 4.00%, 40 mismatches', 'shopify, Mar 2: 3.00%, 30 mismatches', 'shopify, Mar 3: 2.00%, 20 mismatches']);
  });

  it('draws every day when the last one is whole', () => {
    const chart = mismatchRateLines(daily, 800, () => '#/rows', new Date('2026-03-05T00:00:00Z'));
    expect(chart.querySelector('figcaption')).toBeNull();
    expect(labels(chart)).toHaveLength(4);
    expect(labels(chart).at(-1)).toBe('shopify, Mar 4: 0.00%, 0 mismatches');
  });

  it('judges a week by the same end: 53 of 168 h so far', () => {
    const weekly = [
      { week: '2026-02-23', location_id: 'WH-EAST', source: 'shopify', compared: 7000, mismatched: 210 },
      { week: '2026-03-02', location_id: 'WH-EAST', source: 'shopify', compared: 2200, mismatched: 11 },
    ];
    const chart = mismatchRateLines(weekly, 800, () => '#/rows', new Date('2026-03-04T05:00:00Z'));
    expect(chart.querySelector('figcaption')?.textContent).toBe('Mar 2 is still in progress (53 of 168 h so far) and left out.');
    expect(labels(chart)).toEqual(['shopify, Feb 23: 3.00%, 210 mismatches']);
  });
});
