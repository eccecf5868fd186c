import { samplesForUTest } from './mann-whitney.js';
import type {
  BenchmarkComparison,
  BenchmarkInput,
  CompareOptions,
  Direction,
  TestName,
  Verdict,
} from './types.js';
import { samplesForSignedRank } from './wilcoxon-signed-rank.js';

// The report-wide decision for one benchmark once its test ran: significant after the correction,
// beyond the minimum effect, or too few samples to tell.

/** What one benchmark's test found, before the report-wide decision. */
export interface Analysis
  extends Pick<BenchmarkComparison, 'baseline' | 'changed' | 'ratio' | 'pctChange' | 'test' | 'p'> {
  input: BenchmarkInput;
  /** Signed size of the change in the value's own direction (0: no shift of the centre). */
  shift: number;
  /** Sample size the too-few rule looks at: per side for the U test, non-zero pairs for the paired one. */
  sizes: number[];
  /** Every sample was identical, so no test can show anything more samples would change. */
  degenerate: boolean;
  /** The paired test showed that more rounds cannot make this a change (see BenchmarkComparison). */
  settledUnchanged?: boolean;
  notes: string[];
}

function isImprovement(direction: Direction, shift: number): boolean {
  return direction === 'lower-is-better' ? shift < 0 : shift > 0;
}

export function decide(
  a: Analysis,
  pAdjusted: number | null,
  opts: CompareOptions,
  family: number,
): Pick<BenchmarkComparison, 'verdict' | 'needSamples'> & { notes: string[] } {
  const notes = [...a.notes];
  // The smallest p that can still be significant: with a correction, the first test must beat
  // alpha / m on its own.
  const alphaForSize = opts.correction === 'none' ? opts.alpha : opts.alpha / Math.max(family, 1);
  const corrected =
    opts.correction === 'none' ? '' : ` after ${opts.correction} correction over ${family} benchmarks`;
  const need = samplesNeeded(a.test, alphaForSize);
  const tooFewNote = `need ${need.text} to detect a difference at alpha level ${opts.alpha}${corrected}`;

  let verdict: Verdict;
  let needSamples: number | undefined;
  if (pAdjusted === null) {
    verdict = 'too-few-samples';
    needSamples = need.n;
    notes.push(a.test === 'mann-whitney-u' ? `a side has no samples; ${tooFewNote}` : tooFewNote);
  } else if (pAdjusted > opts.alpha) {
    // benchstat's rule: too few only if every side is below the size that could reach alpha.
    if (!a.degenerate && a.sizes.every((n) => n < need.n)) {
      verdict = 'too-few-samples';
      needSamples = need.n;
      notes.push(tooFewNote);
    } else {
      verdict = 'unchanged';
    }
  } else if (a.shift === 0) {
    verdict = 'unchanged';
    notes.push('the samples differ significantly but their medians are equal');
  } else if (opts.thresholdPct > 0 && a.pctChange !== null && Math.abs(a.pctChange) < opts.thresholdPct) {
    verdict = 'unchanged';
    notes.push(
      `significant (p=${formatP(pAdjusted)}) but ${Math.abs(a.pctChange).toFixed(2)}% is below the ${opts.thresholdPct}% minimum effect`,
    );
  } else {
    verdict = isImprovement(a.input.direction, a.shift) ? 'faster' : 'slower';
  }
  return needSamples === undefined ? { verdict, notes } : { verdict, needSamples, notes };
}

/** The smallest sample that could show a change at this level: per side, or in rounds for a paired test. */
function samplesNeeded(test: TestName, alpha: number): { n: number; text: string } {
  switch (test) {
    case 'mann-whitney-u': {
      const s = samplesForUTest(alpha);
      return { n: s.atLeast ? s.n : s.n + 1, text: `${s.atLeast ? '>=' : '>'} ${s.n} samples` };
    }
    case 'wilcoxon-signed-rank-paired': {
      const n = samplesForSignedRank(alpha);
      return { n, text: `>= ${n} interleaved rounds with different values` };
    }
    case 'moderated-t-paired':
      // Two rounds give the first degree of freedom; how many find a given change depends on the
      // noise (`benchbot config check` estimates it).
      return { n: 2, text: '>= 2 interleaved rounds' };
  }
}

export function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
