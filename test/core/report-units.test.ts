import { describe, expect, it } from 'vitest';
import { formatMedianCi, formatP, formatPct, formatSpread, formatValue } from '../../core/report/index.js';

describe('formatValue: human units with three significant digits', () => {
  it.each<[number, string, string]>([
    [0, 'ns', '0 ns'],
    [0.46, 'ns', '0.460 ns'],
    [13.57, 'ns', '13.6 ns'],
    [999.4, 'ns', '999 ns'],
    [999.7, 'ns', '1.00 µs'],
    [1_250, 'ns', '1.25 µs'],
    [12_345_678, 'ns', '12.3 ms'],
    [123_456_789, 'ns', '123 ms'],
    [1.5e9, 'ns', '1.50 s'],
    [1_234e9, 'ns', '1234 s'],
    [-2.5e6, 'ns', '-2.50 ms'],
    [8, 'B', '8.00 B'],
    [1_000, 'B', '1000 B'],
    [1_023.7, 'B', '1.00 KiB'],
    [1_152, 'B', '1.13 KiB'],
    [5 * 1024 ** 2, 'B', '5.00 MiB'],
    [3.2 * 1024 ** 3, 'B', '3.20 GiB'],
    [124.56e6, 'B/s', '119 MiB/s'],
    [512, 'B/s', '512 B/s'],
    [2_500, 'ops/s', '2.50 k ops/s'],
    [64, 'fields/op', '64.0 fields/op'],
    [123_456, 'allocs/op', '123456 allocs/op'],
    [0.000123, 'items/s', '0.000123 items/s'],
  ])('%d %s is %s', (value, unit, expected) => {
    expect(formatValue(value, unit)).toBe(expected);
  });
});

describe('percent, p and confidence interval cells', () => {
  it.each<[number, string]>([
    [18.94, '+18.9%'],
    [-2.1, '-2.1%'],
    [0.04, '0.0%'],
    [-0.04, '0.0%'],
    [1234.5, '+1235%'],
  ])('formatPct(%d) is %s', (pct, expected) => {
    expect(formatPct(pct)).toBe(expected);
  });

  it.each<[number, string]>([
    [0.00001, '<0.001'],
    [0.0079, '0.008'],
    [1, '1.000'],
  ])('formatP(%d) is %s', (p, expected) => {
    expect(formatP(p)).toBe(expected);
  });

  it('shows the larger distance to a bound relative to the median, as benchstat does', () => {
    const side = { n: 10, median: 100, ciLo: 99, ciHi: 104 };
    expect(formatSpread(side)).toBe('4%');
    expect(formatMedianCi(side, 'ns')).toBe('100 ns ± 4%');
  });

  it('shows ∞ without a bound, ? across zero and — without samples', () => {
    expect(formatSpread({ n: 5, median: 10, ciLo: null, ciHi: null })).toBe('∞');
    expect(formatSpread({ n: 10, median: 1, ciLo: -1, ciHi: 2 })).toBe('?');
    expect(formatMedianCi({ n: 0, median: null, ciLo: null, ciHi: null }, 'ns')).toBe('—');
  });
});
