import { describe, expect, it } from 'vitest';
import { formatAverageUnits, formatCount } from '../../dashboard/src/data/format.ts';

describe('the hidden-units tile', () => {
  it('shows an average with one decimal below ten and whole units above, its weekly change too', () => {
    expect(formatAverageUnits(0.6)).toBe('0.6');
    expect(formatAverageUnits(0.04)).toBe('0.0');
    // The change between two weeks' averages (12.17 − 0.6): once shown as "11.5714".
    expect(formatAverageUnits(11.5714)).toBe('12');
    expect(formatAverageUnits(1234.56)).toBe('1,235');
    expect(formatAverageUnits(0)).toBe('0');
    expect(formatAverageUnits(null)).toBe('–');
    // Stock quantities keep their decimals (12.5 kg): the average's rounding is its own.
    expect(formatCount(12.5)).toBe('12.5');
  });
});
