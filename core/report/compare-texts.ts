import { combineImports } from '../results/importers/combine.js';
import { importResults } from '../results/importers/index.js';
import type { InputFormat } from '../results/importers/types.js';
import type { ResultIssue } from '../results/schema.js';
import type { CompareOptions } from '../stats/types.js';
import { compareResults } from './compare-results.js';
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
