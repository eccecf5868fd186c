import { readFile } from 'node:fs/promises';
import type { BenchbotConfig } from '../../core/config/index.js';
import {
  type CompareTextsResult,
  compareImports,
  compareResultsText,
  type InputText,
  renderCsv,
  renderJson,
  renderMarkdown,
} from '../../core/report/index.js';
import {
  formatIssue,
  INPUT_FORMATS,
  type InputFormat,
  importResults,
  isInputFormat,
  type ResultIssue,
} from '../../core/results/index.js';
import { BENCHSTAT_COMPAT, DEFAULT_OPTIONS } from '../../core/stats/index.js';
import { type CompareOptions, type Correction, PAIRED_TESTS } from '../../core/stats/types.js';
import { storedBaselineFor } from '../ci/against-latest.js';
import { appendStepSummary, inGitHubActions } from '../ci/step-summary.js';
import { type ReadSide, readSide } from '../compare-inputs.js';

/** The options as commander hands them over: strings, checked here so every problem exits 2. */
export interface RawCompareOptions {
  format: string;
  inputFormat?: string;
  alpha?: string;
  confidence?: string;
  threshold?: string;
  correction?: string;
  paired?: string;
  benchstat?: boolean;
  failOnRegression?: boolean;
  /** `latest`: compare the one file given with the newest stored run of --repo and --branch. */
  against?: string;
  repo?: string;
  branch?: string;
  platform?: string;
}

const REPORT_FORMATS = ['markdown', 'json', 'csv'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];
const CORRECTIONS: readonly Correction[] = ['holm', 'bh', 'none'];

interface CheckedOptions {
  format: ReportFormat;
  inputFormat?: InputFormat;
  compare: CompareOptions;
}

const oneOf = <T extends string>(allowed: readonly T[], value: string): value is T =>
  (allowed as readonly string[]).includes(value);

/** A level strictly between 0 and 1, or a message naming the option and the range. */
function level(option: string, text: string | undefined, fallback: number, example: string): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(value > 0 && value < 1)) {
    return `${option} ${text}: use a number between 0 and 1 (both excluded), e.g. ${example}`;
  }
  return value;
}

function checkOptions(raw: RawCompareOptions): CheckedOptions | string {
  if (!oneOf(REPORT_FORMATS, raw.format))
    return `--format ${raw.format}: use one of ${REPORT_FORMATS.join(', ')}`;
  if (raw.inputFormat !== undefined && !isInputFormat(raw.inputFormat)) {
    return `--input-format ${raw.inputFormat}: use one of ${INPUT_FORMATS.join(', ')}, or leave it out to detect the format`;
  }
  if (
    raw.benchstat &&
    (raw.correction !== undefined || raw.threshold !== undefined || raw.paired !== undefined)
  ) {
    return '--benchstat sets --correction none, --threshold 0 and --paired never; drop one or the other';
  }
  const base = raw.benchstat ? BENCHSTAT_COMPAT : DEFAULT_OPTIONS;
  const alpha = level('--alpha', raw.alpha, base.alpha, '0.05');
  if (typeof alpha === 'string') return alpha;
  const confidence = level('--confidence', raw.confidence, base.confidence, '0.95');
  if (typeof confidence === 'string') return confidence;
  let thresholdPct = base.thresholdPct;
  if (raw.threshold !== undefined) {
    const text = raw.threshold.trim().replace(/%$/, '');
    thresholdPct = Number(text);
    if (text === '' || !(thresholdPct >= 0 && Number.isFinite(thresholdPct))) {
      return `--threshold ${raw.threshold}: use a minimum effect in percent, 0 or more (0 turns it off), e.g. 1`;
    }
  }
  const correction = raw.correction ?? base.correction;
  if (!oneOf(CORRECTIONS, correction))
    return `--correction ${correction}: use one of ${CORRECTIONS.join(', ')}`;
  const paired = raw.paired ?? base.paired;
  if (!oneOf(PAIRED_TESTS, paired)) return `--paired ${paired}: use one of ${PAIRED_TESTS.join(', ')}`;
  return {
    format: raw.format,
    ...(raw.inputFormat === undefined ? {} : { inputFormat: raw.inputFormat }),
    compare: { alpha, confidence, thresholdPct, correction, paired },
  };
}

/** The whole text of a results file holding both sides, or why it cannot be read. */
async function readResultsFile(file: string): Promise<{ file: string; text: string } | ResultIssue> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    return { file, place: '', message: `cannot read it (${why}); pass the path of a results file` };
  }
}

/** Both sides imported (one after the other, so only one file is being read at a time), or the unreadable paths. */
async function compareFiles(
  basePath: string,
  changedPath: string,
  options: CheckedOptions,
): Promise<CompareTextsResult> {
  const base: ReadSide = await readSide(basePath, options.inputFormat);
  const changed: ReadSide = await readSide(changedPath, options.inputFormat);
  if (!base.ok || !changed.ok) {
    return { ok: false, errors: [base, changed].flatMap((side) => (side.ok ? [] : [side.issue])) };
  }
  return compareImports(
    { file: basePath, result: base.result },
    { file: changedPath, result: changed.result },
    options.compare,
  );
}

/** `--against latest NEW`: the stored run (a one-side results file) as the baseline of NEW. */
async function compareWithStored(
  stored: InputText,
  newPath: string,
  options: CheckedOptions,
): Promise<CompareTextsResult> {
  const changed = await readSide(newPath, options.inputFormat);
  if (!changed.ok) return { ok: false, errors: [changed.issue] };
  return compareImports(
    { file: stored.file, result: importResults(stored.text, stored.file) },
    { file: newPath, result: changed.result },
    options.compare,
  );
}

async function compareResultsFile(path: string, options: CheckedOptions): Promise<CompareTextsResult> {
  const input = await readResultsFile(path);
  if ('message' in input) return { ok: false, errors: [input] };
  return compareResultsText(input, options.compare, options.inputFormat);
}

/**
 * `benchbot compare BASE CHANGED`, `benchbot compare RESULTS.json` for a results file holding both
 * sides, or `benchbot compare --against latest NEW`: prints the report on stdout, and inside GitHub
 * Actions appends it to the job summary too. Exit 0 (1 with --fail-on-regression and a slower
 * benchmark), or 2 with the problems on stderr.
 */
export async function compare(
  basePath: string,
  changedPath: string | undefined,
  raw: RawCompareOptions,
  loadConfig: () => Promise<BenchbotConfig>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = checkOptions(raw);
  if (typeof options === 'string') {
    console.error(`benchbot compare: ${options}`);
    return 2;
  }
  const stored = await storedBaselineFor(changedPath, raw, loadConfig, env);
  if (typeof stored === 'string') {
    console.error(`benchbot compare: ${stored}`);
    return 2;
  }
  const result =
    stored !== null
      ? await compareWithStored(stored, basePath, options)
      : changedPath === undefined
        ? await compareResultsFile(basePath, options)
        : await compareFiles(basePath, changedPath, options);
  if (!result.ok) {
    for (const issue of result.errors) console.error(formatIssue(issue));
    return 2;
  }
  for (const warning of result.warnings) console.error(`warning: ${formatIssue(warning)}`);
  const render = { markdown: renderMarkdown, json: renderJson, csv: renderCsv }[options.format];
  process.stdout.write(render(result.comparison));
  if (inGitHubActions(env)) {
    // The job summary is for people: markdown whatever --format hands to the next step.
    const problem = await appendStepSummary(env, renderMarkdown(result.comparison));
    if (problem !== null) {
      console.error(`benchbot compare: ${problem}`);
      return 2;
    }
  }
  const slower = result.comparison.counts.slower;
  if (raw.failOnRegression && slower > 0) {
    console.error(`benchbot compare: ${slower} slower (--fail-on-regression)`);
    return 1;
  }
  return 0;
}
