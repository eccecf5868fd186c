import type { FunctionCost, ProfileSummary } from './summary.js';

// Two profiles of one benchmark, function by function: the top functions by flat and by cumulative
// value on either side, with a function found on one side only reading as zero on the other (a
// helper the change removed or inlined goes to zero; a new one comes from zero).

export interface FunctionDelta {
  name: string;
  baseline: FunctionCost;
  changed: FunctionCost;
  presentIn: 'both' | 'baseline' | 'changed';
}

export interface ProfileDiff {
  sampleType: string;
  unit: string;
  totals: { baseline: number; changed: number };
  /** The top functions by the larger flat value of the two sides. */
  byFlat: FunctionDelta[];
  /** The top functions by the larger cumulative value of the two sides. */
  byCumulative: FunctionDelta[];
}

export type DiffResult = { ok: true; diff: ProfileDiff } | { ok: false; error: string };

const ZERO: FunctionCost = { flat: 0, cum: 0 };

export function diffProfiles(baseline: ProfileSummary, changed: ProfileSummary, top: number): DiffResult {
  if (baseline.sampleType !== changed.sampleType || baseline.unit !== changed.unit) {
    return {
      ok: false,
      error: `the profiles measure different things: ${baseline.sampleType}/${baseline.unit} in the baseline, ${changed.sampleType}/${changed.unit} in the changed side`,
    };
  }
  const names = new Set([...baseline.functions.keys(), ...changed.functions.keys()]);
  const all: FunctionDelta[] = [...names].map((name) => {
    const b = baseline.functions.get(name);
    const c = changed.functions.get(name);
    return {
      name,
      baseline: b ?? ZERO,
      changed: c ?? ZERO,
      presentIn: b === undefined ? 'changed' : c === undefined ? 'baseline' : 'both',
    };
  });
  // Ties by name, so the same profiles always give the same report.
  const rank = (key: keyof FunctionCost) =>
    [...all]
      .sort(
        (x, y) =>
          Math.max(y.baseline[key], y.changed[key]) - Math.max(x.baseline[key], x.changed[key]) ||
          x.name.localeCompare(y.name),
      )
      .filter((f) => Math.max(f.baseline[key], f.changed[key]) > 0)
      .slice(0, top);
  return {
    ok: true,
    diff: {
      sampleType: baseline.sampleType,
      unit: baseline.unit,
      totals: { baseline: baseline.total, changed: changed.total },
      byFlat: rank('flat'),
      byCumulative: rank('cum'),
    },
  };
}
