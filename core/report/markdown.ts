import type { BenchmarkComparison, SideSummary, Verdict } from '../stats/types.js';
import { type Block, fitRows, renderBlock } from './budget.js';
import { formatMedianCi, formatP, formatPct } from './format.js';
import type { MeasurementLook } from './looks.js';
import { codeSpan } from './markdown-text.js';
import { MILESTONES_HEAD, milestoneRows } from './milestones-table.js';
import { correctionName, geomeansLine, methodLine, summaryLine } from './summary.js';
import type { ComparedBenchmark, FailedBenchmark, OneSidedBenchmark, ResultsComparison } from './types.js';

/** GitHub refuses issue and PR comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The default budget leaves room for the status header the request workflow puts above the report. */
export const DEFAULT_MARKDOWN_BUDGET = 60_000;

export interface MarkdownOptions {
  /** Maximum length in UTF-16 code units (never fewer than GitHub's characters). */
  budget?: number;
}

// A glyph and a word for every verdict, so the report reads without colour or emoji.
const VERDICT_MARKS: Record<Verdict, string> = {
  faster: '✅',
  slower: '❌',
  unchanged: '➖',
  'too-few-samples': '❔',
};

const SUPERSCRIPTS = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

const superscript = (n: number): string => [...String(n)].map((d) => SUPERSCRIPTS[Number(d)]).join('');

/** Numbered notes shared by every row that needs them, so a repeated explanation costs one mark. */
class Footnotes {
  private readonly numbers = new Map<string, number>();

  mark(text: string): string {
    const n = this.numbers.get(text) ?? this.numbers.size + 1;
    this.numbers.set(text, n);
    return superscript(n);
  }

  lines(): string[] {
    return [...this.numbers].map(([text, n]) => `${superscript(n)} ${text}`);
  }
}

function tooFewNote(c: BenchmarkComparison, result: ResultsComparison): string {
  const what =
    c.test === 'mann-whitney-u'
      ? 'samples per side'
      : c.test === 'wilcoxon-signed-rank-paired'
        ? 'interleaved rounds with different values'
        : 'interleaved rounds';
  const { correction, alpha } = result.options;
  const corrected =
    correction === 'none'
      ? ''
      : ` after ${correctionName(correction)} correction over ${result.testedCount} benchmarks`;
  return `need ≥ ${c.needSamples} ${what} to detect a change at α = ${alpha}${corrected}`;
}

function sideCell(side: SideSummary, unit: string, notes: Footnotes): string {
  const text = formatMedianCi(side, unit);
  return side.median !== null && side.ciNote !== undefined
    ? `${text}${notes.mark(side.ciNote.replace('>=', '≥'))}`
    : text;
}

function changeCell(c: BenchmarkComparison, result: ResultsComparison, notes: Footnotes): string {
  const mark = VERDICT_MARKS[c.verdict];
  switch (c.verdict) {
    case 'faster':
    case 'slower':
      return c.pctChange === null ? `${mark} ${c.verdict}` : `${mark} ${formatPct(c.pctChange)} ${c.verdict}`;
    case 'unchanged':
      return `${mark} unchanged`;
    case 'too-few-samples':
      return `${mark} too few samples${notes.mark(tooFewNote(c, result))}`;
  }
}

/** How many rounds a benchmark's verdict rests on, when adaptive rounds gave its benchmark more. */
function lookNote(look: MeasurementLook): string {
  return look.look === 2
    ? `took ${look.rounds} rounds: undecided after the ${look.plannedRounds} planned ones, judged after the extra rounds`
    : `decided after the ${look.plannedRounds} planned rounds; the extra rounds its benchmark ran for others do not count`;
}

const TABLE_HEAD = ['| benchmark | baseline | changed | change | p | n |', '|---|--:|--:|---|--:|--:|'];

function benchmarkRow(b: ComparedBenchmark, result: ResultsComparison, notes: Footnotes): string {
  const c = b.comparison;
  const cells = [
    codeSpan(b.label, true),
    sideCell(c.baseline, b.unit, notes),
    sideCell(c.changed, b.unit, notes),
    changeCell(c, result, notes),
    c.pAdjusted === null ? '—' : formatP(c.pAdjusted),
    `${c.baseline.n} / ${c.changed.n}${b.look === undefined ? '' : notes.mark(lookNote(b.look))}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Significant changes first by (adjusted) p, then by the size of the change. */
export function significanceOrder(benchmarks: readonly ComparedBenchmark[]): ComparedBenchmark[] {
  return benchmarks
    .filter((b) => b.comparison.verdict === 'faster' || b.comparison.verdict === 'slower')
    .sort(
      (x, y) =>
        (x.comparison.pAdjusted ?? 1) - (y.comparison.pAdjusted ?? 1) ||
        Math.abs(y.comparison.pctChange ?? 0) - Math.abs(x.comparison.pctChange ?? 0),
    );
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function failedLine(f: FailedBenchmark): string {
  return `- ⛔ failed: ${codeSpan(f.label, false)}: ${codeSpan(firstLine(f.failure.reason, 200), false)}`;
}

function oneSidedLine(o: OneSidedBenchmark): string {
  return o.missingFrom === 'baseline'
    ? `- 🆕 new, only in changed: ${codeSpan(o.label, false)}`
    : `- 🚫 removed, only in baseline: ${codeSpan(o.label, false)}`;
}

const more = (what: string) => (left: number) => `…and ${left} more ${what}`;

/**
 * The report for a PR comment: summary line, method, significant changes, group totals, what was
 * not compared, and every benchmark in a collapsed table. Longer than `budget`, it drops the full
 * table, then shortens the lists; rows are always whole.
 */
export function renderMarkdown(result: ResultsComparison, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? DEFAULT_MARKDOWN_BUDGET;
  const notes = new Footnotes();

  const significant = significanceOrder(result.benchmarks);
  const blocks: Block[] = [];
  if (significant.length > 0) {
    blocks.push({
      head: ['### Significant changes', '', ...TABLE_HEAD],
      rows: significant.map((b) => benchmarkRow(b, result, notes)),
      more: more('significant changes (see the full results)'),
    });
  }
  const timeline = milestoneRows(result.benchmarks, result.groupTotals);
  if (timeline.length > 0) {
    blocks.push({
      head: [
        '### Milestones and phases',
        '',
        'Medians per side; Δ is changed − baseline. Milestones are times from the start of the run, phases are spans; totals are not tested.',
        '',
        ...MILESTONES_HEAD,
      ],
      rows: timeline,
      more: more('milestones and phases'),
    });
  }
  const notCompared = [...result.failed.map(failedLine), ...result.oneSided.map(oneSidedLine)];
  if (notCompared.length > 0) {
    blocks.push({ head: ['### Not compared', ''], rows: notCompared, more: more('not compared') });
  }
  const fullRows = result.benchmarks.map((b) => benchmarkRow(b, result, notes));
  const fullTable = [
    `<details><summary>All ${fullRows.length} benchmarks</summary>`,
    '',
    ...TABLE_HEAD,
    ...fullRows,
    '',
    '</details>',
  ].join('\n');
  const fullOmitted =
    `Full table omitted (${fullRows.length} rows) to fit a GitHub comment; ` +
    'run `benchbot compare --format csv` or see the run’s JSON results.';

  const render = (shown: readonly number[], details: string): string => {
    const parts = [`**${summaryLine(result)}**`, methodLine(result)];
    if (result.geomeans.length > 1) parts.push(`Geomean by metric: ${geomeansLine(result)}`);
    if (significant.length === 0) parts.push('No significant changes.');
    parts.push(...blocks.map((block, i) => renderBlock(block, shown[i] as number)));
    if (fullRows.length > 0) parts.push(details);
    const footnotes = notes.lines();
    if (footnotes.length > 0) parts.push(footnotes.join('\n'));
    return `${parts.join('\n\n')}\n`;
  };

  const all = blocks.map((b) => b.rows.length);
  const full = render(all, fullTable);
  if (full.length <= budget) return full;
  const withoutTable = render(all, fullOmitted);
  if (withoutTable.length <= budget) return withoutTable;
  const fixed = render(
    blocks.map(() => 0),
    fullOmitted,
  ).length;
  return render(fitRows(blocks, fixed, budget), fullOmitted);
}
