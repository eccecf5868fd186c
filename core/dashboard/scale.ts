// Axis arithmetic for the SVG charts: "nice" value ticks (1, 2, 5 x 10^k) and calendar ticks.

export interface Linear {
  (value: number): number;
  domain: [number, number];
}

export function linear(domain: [number, number], range: [number, number]): Linear {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const scale = (value: number) => r0 + ((value - d0) / span) * (r1 - r0);
  return Object.assign(scale, { domain });
}

/** About `count` round values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    // Snap away float noise such as 0.30000000000000004.
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** A value domain with a little room around the data, and never empty. */
export function paddedDomain(lo: number, hi: number): [number, number] {
  if (!(hi > lo)) {
    const room = Math.abs(lo) * 0.01 || 1;
    return [lo - room, hi + room];
  }
  const room = (hi - lo) * 0.06;
  return [lo - room, hi + room];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEPS = [
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
  91 * DAY,
  364 * DAY,
];

/** Tick times (ms, UTC-aligned) for a time axis, with labels that show what changes between them. */
export function timeTicks(t0: number, t1: number, maxTicks = 6): Array<{ t: number; label: string }> {
  const span = Math.max(t1 - t0, HOUR);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  const ticks: Array<{ t: number; label: string }> = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const iso = new Date(t).toISOString();
    ticks.push({ t, label: step < DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10) });
  }
  return ticks;
}

/** `1234.5678` → `1234.57`: short, deterministic coordinates keep big SVGs small. */
export const px = (value: number): string => String(Math.round(value * 100) / 100);
