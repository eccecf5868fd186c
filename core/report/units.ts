import { CANONICAL_UNITS } from '../results/schema.js';

export interface Scale {
  factor: number;
  symbol: string;
}

const binary = (suffix: string): Scale[] =>
  ['B', 'KiB', 'MiB', 'GiB', 'TiB'].map((symbol, i) => ({ factor: 1024 ** i, symbol: `${symbol}${suffix}` }));

// Only the canonical units the importers normalise to are rescaled; a tool's own unit is printed
// as it came, since guessing its prefixes would misreport it.
const SCALES: Record<string, Scale[]> = {
  [CANONICAL_UNITS.time]: [
    { factor: 1, symbol: 'ns' },
    { factor: 1e3, symbol: 'µs' },
    { factor: 1e6, symbol: 'ms' },
    { factor: 1e9, symbol: 's' },
  ],
  [CANONICAL_UNITS.bytes]: binary(''),
  [CANONICAL_UNITS.byteRate]: binary('/s'),
  [CANONICAL_UNITS.opRate]: [
    { factor: 1, symbol: 'ops/s' },
    { factor: 1e3, symbol: 'k ops/s' },
    { factor: 1e6, symbol: 'M ops/s' },
    { factor: 1e9, symbol: 'G ops/s' },
  ],
};

/** Three significant digits, without exponents for numbers of 1 and more (1234 s, not 1.23e+3 s). */
export function threeSignificant(x: number): string {
  if (x === 0) return '0';
  const text = x.toPrecision(3);
  return text.includes('e') && Math.abs(x) >= 1 ? x.toFixed(0) : text;
}

/** `value` (in `unit`) for people: 12.3 ms, 1.50 KiB, 118 MiB/s; unknown units as they are. */
export function formatValue(value: number, unit: string): string {
  const scale = unitScale(value, unit);
  return `${threeSignificant(value / scale.factor)} ${scale.symbol}`;
}

/** The prefix `value` reads best in: what formatValue divides by and writes after the number. */
export function unitScale(value: number, unit: string): Scale {
  const scales = SCALES[unit];
  if (scales === undefined) return { factor: 1, symbol: unit };
  const abs = Math.abs(value);
  let i = scales.length - 1;
  while (i > 0 && abs < (scales[i] as Scale).factor) i--;
  const shown = (k: number) => threeSignificant(abs / (scales[k] as Scale).factor);
  const next = scales[i + 1];
  // Rounding can carry into the next unit: 999.7 ns reads 1.00 µs, not 1000 ns.
  if (next !== undefined && Number(shown(i)) * (scales[i] as Scale).factor >= next.factor) i++;
  return scales[i] as Scale;
}
