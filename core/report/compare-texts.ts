import { combineImports } from '../results/importers/combine.js';
import { importResults } from '../results/importers/index.js';
import type { InputFormat } from '../results/importers/types.js';
import { parseResults, RESULTS_SCHEMA, type ResultIssue, SIDES } from '../results/schema.js';
import type { CompareOptions } from '../stats/types.js';
import { compareResults } from './compare-results.js';
import { isBenchstatCompatible } from './summary.js';
import type { ResultsComparison } from './types.js';

export interface InputText {
  /** As the user named it, so problems point at the file they passed. */
  file: string;
  text: string;
}

export type CompareTextsResult =
  | { ok: true; comparison: ResultsComparison; warnings: ResultIssue[] }
  | { ok: false; errors: ResultIssue[] };

/**
 * `compare BASE CHANGED` without the file reading: imports each side (detecting the tool unless
 * `format` is given), pairs the benchmarks and compares them. Problems of both files are reported
 * together. `options` must pass `checkCompareOptions`.
 */
export function compareTexts(
  baseline: InputText,
  changed: InputText,
  options: CompareOptions,
  format?: InputFormat,
): CompareTextsResult {
  const base = importResults(baseline.text, baseline.file, format);
  const next = importResults(changed.text, changed.file, format);
  if (!base.ok || !next.ok) {
    return { ok: false, errors: [...(base.ok ? [] : base.errors), ...(next.ok ? [] : next.errors)] };
  }
  const combined = combineImports([
    { side: 'baseline', file: baseline.file, benchmarks: base.benchmarks },
    { side: 'changed', file: changed.file, benchmarks: next.benchmarks },
  ]);
  if (!combined.ok) return combined;
  return {
    ok: true,
    comparison: compareResults(combined.benchmarks, options),
    warnings: [...base.warnings, ...next.warnings],
  };
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
