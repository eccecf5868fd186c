import { type GroupedBenchmark, groupImports } from '../results/importers/combine.js';
import { importResults } from '../results/importers/index.js';
import type { ImportResult, InputFormat } from '../results/importers/types.js';
import { parseResults, RESULTS_SCHEMA, type ResultIssue, SIDES } from '../results/schema.js';
import type { CompareOptions } from '../stats/types.js';
import { compareResults, compareSides } from './compare-results.js';
import { isBenchstatCompatible } from './summary.js';
import type { BenchmarkSides, ResultsComparison, SideValues } from './types.js';

export interface InputText {
  /** As the user named it, so problems point at the file they passed. */
  file: string;
  text: string;
}

export type CompareTextsResult =
  | { ok: true; comparison: ResultsComparison; warnings: ResultIssue[] }
  | { ok: false; errors: ResultIssue[] };

/** One side of `compare BASE CHANGED` once imported; `file` as the user named it. */
export interface ImportedSide {
  file: string;
  result: ImportResult;
}

/**
 * `compare BASE CHANGED` once both sides are imported: pairs the benchmarks and compares them.
 * Problems of both files are reported together. `options` must pass `checkCompareOptions`.
 */
export function compareImports(
  baseline: ImportedSide,
  changed: ImportedSide,
  options: CompareOptions,
): CompareTextsResult {
  const base = baseline.result;
  const next = changed.result;
  if (!base.ok || !next.ok) {
    return { ok: false, errors: [...(base.ok ? [] : base.errors), ...(next.ok ? [] : next.errors)] };
  }
  const grouped = groupImports([
    { side: 'baseline', file: baseline.file, benchmarks: base.benchmarks },
    { side: 'changed', file: changed.file, benchmarks: next.benchmarks },
  ]);
  if (!grouped.ok) return grouped;
  return {
    ok: true,
    comparison: compareSides(grouped.grouped.map(sidesOfImports), options),
    warnings: [...base.warnings, ...next.warnings],
  };
}

/** A side of two imported files: no rounds, and the samples as the importer keeps them. */
function sideOfImports(parts: GroupedBenchmark['sides']['baseline']): SideValues {
  if (parts === undefined) return { values: [] };
  return {
    values: parts.length === 1 ? (parts[0] as (typeof parts)[0]).samples : parts.flatMap((p) => p.samples),
  };
}

function sidesOfImports({ benchmark, sides }: GroupedBenchmark): BenchmarkSides {
  const { rawSamples: _raw, ...rest } = benchmark;
  return { ...rest, baseline: sideOfImports(sides.baseline), changed: sideOfImports(sides.changed) };
}

/**
 * `compare BASE CHANGED` on texts in memory: imports each side (detecting the tool unless `format`
 * is given), then `compareImports`.
 */
export function compareTexts(
  baseline: InputText,
  changed: InputText,
  options: CompareOptions,
  format?: InputFormat,
): CompareTextsResult {
  return compareImports(
    { file: baseline.file, result: importResults(baseline.text, baseline.file, format) },
    { file: changed.file, result: importResults(changed.text, changed.file, format) },
    options,
  );
}

/**
 * `compare RESULTS.json`: re-judges a benchbot results file that holds both sides (a runner's
 * results.json, an exported stored run) with the given options.
 */
export function compareResultsText(
  input: InputText,
  options: CompareOptions,
  format?: InputFormat,
): CompareTextsResult {
  const fail = (message: string): CompareTextsResult => ({
    ok: false,
    errors: [{ file: input.file, place: '', message }],
  });
  if (format !== undefined && format !== 'benchbot') {
    return fail(
      `one file is read as a benchbot results file holding both sides, not as ${format} output; ` +
        `pass the baseline's and the changed side's ${format} files: benchbot compare BASE CHANGED`,
    );
  }
  if (!input.text.includes(RESULTS_SCHEMA)) {
    return fail(
      "is not a benchbot results file; a tool's own output holds one side: pass the baseline's and the " +
        "changed side's files: benchbot compare BASE CHANGED",
    );
  }
  const parsed = parseResults(input.text, input.file);
  if (!parsed.ok) return parsed;
  const { benchmarks, run } = parsed.results;
  const present = SIDES.filter((side) => benchmarks.some((b) => (b.samples[side]?.length ?? 0) > 0));
  if (present.length < 2) {
    const has = present.length === 0 ? 'no samples on either side' : `samples of the ${present[0]} side only`;
    return fail(
      `holds ${has}; pass the other side's file as a second argument: benchbot compare BASE CHANGED`,
    );
  }
  return {
    ok: true,
    comparison: compareResults(
      benchmarks,
      options,
      isBenchstatCompatible(options) ? undefined : run.adaptive,
    ),
    warnings: [],
  };
}
