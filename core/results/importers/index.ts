import type { ResultIssue } from '../schema.js';
import { importBenchbot, looksLikeBenchbot } from './benchbot.js';
import { importCriterion, looksLikeCriterion } from './criterion.js';
import { importDfbench, looksLikeDfbench } from './dfbench-json.js';
import { type GoBenchReader, importGoBench, looksLikeGoBench } from './go-bench.js';
import { importGoogleBenchmark, looksLikeGoogleBenchmark } from './google-benchmark.js';
import { importHyperfine, looksLikeHyperfine } from './hyperfine.js';
import { parseJsonText } from './json-text.js';
import { importMilestones, looksLikeMilestones } from './milestones.js';
import { importPytestBenchmark, looksLikePytestBenchmark } from './pytest-benchmark.js';
import { type Importer, type ImportResult, INPUT_FORMATS, type InputFormat } from './types.js';

const IMPORTERS: Record<InputFormat, Importer> = {
  benchbot: importBenchbot,
  'dfbench-json': importDfbench,
  criterion: importCriterion,
  'go-bench': importGoBench,
  'pytest-benchmark': importPytestBenchmark,
  hyperfine: importHyperfine,
  'google-benchmark': importGoogleBenchmark,
  milestones: importMilestones,
};

// Most specific first: Google Benchmark and pytest-benchmark both have a "benchmarks" array, and
// DataFusion's file has a "context" like Google Benchmark's.
const JSON_DETECTORS: readonly [InputFormat, (value: unknown) => boolean][] = [
  ['benchbot', looksLikeBenchbot],
  ['milestones', looksLikeMilestones],
  ['dfbench-json', looksLikeDfbench],
  ['pytest-benchmark', looksLikePytestBenchmark],
  ['google-benchmark', looksLikeGoogleBenchmark],
  ['hyperfine', looksLikeHyperfine],
  ['criterion', looksLikeCriterion],
];

export function isInputFormat(name: string): name is InputFormat {
  return (INPUT_FORMATS as readonly string[]).includes(name);
}

/** Which tool wrote `text`, judged by content alone; undefined when nothing matches. */
export function detectFormat(text: string): InputFormat | undefined {
  const json = parseJsonText(text, '');
  if (json.ok) return JSON_DETECTORS.find(([, looksLike]) => looksLike(json.value))?.[0];
  return looksLikeGoBench(text) ? 'go-bench' : undefined;
}

/**
 * A value in range in the tool's unit can leave it once scaled (1e308 seconds in nanoseconds), and a
 * criterion sample divides by an iteration count; no statistic can use such a sample.
 */
function finiteSamplesOnly(result: ImportResult, file: string): ImportResult {
  if (!result.ok) return result;
  const errors = result.benchmarks.flatMap((benchmark): ResultIssue[] => {
    const index = benchmark.samples.findIndex((sample) => !Number.isFinite(sample));
    if (index === -1) return [];
    const message = `sample ${index + 1} of ${benchmark.metric} is not a finite number of ${benchmark.unit} (it is ${benchmark.samples[index]}): the file holds a value out of range; check that the tool wrote it whole, and rerun the benchmark`;
    return [{ file, place: benchmark.name, message }];
  });
  return errors.length === 0 ? result : { ok: false, errors };
}

const cannotTell = (file: string): ImportResult => ({
  ok: false,
  errors: [
    {
      file,
      place: '',
      message: `cannot tell which tool wrote this file; pass --input-format with one of: ${INPUT_FORMATS.join(', ')}`,
    },
  ],
});

/**
 * Imports one tool output file as one side's benchmarks. With `format` the named importer is used
 * (and a mismatch says what the file looks like instead); without it the format is detected.
 * Never throws: every problem comes back as an issue naming the file and the place.
 */
export function importResults(text: string, file: string, format?: InputFormat): ImportResult {
  const detected = detectFormat(text);
  if (format === undefined) {
    if (detected === undefined) return cannotTell(file);
    return finiteSamplesOnly(IMPORTERS[detected](text, file), file);
  }
  const result = finiteSamplesOnly(IMPORTERS[format](text, file), file);
  if (result.ok || detected === undefined || detected === format) return result;
  const hint: ResultIssue = {
    file,
    place: '',
    message: `--input-format ${format} was given, but this looks like ${detected} output; pass --input-format ${detected} or leave it out`,
  };
  return { ok: false, errors: [hint, ...result.errors] };
}

/**
 * Whether a file that begins with `head` can be read line by line into a GoBenchReader instead of
 * whole: go test output is the only text format, and every other tool writes JSON.
 */
export function readsLineByLine(head: string, format?: InputFormat): boolean {
  if (format !== undefined && format !== 'go-bench') return false;
  const first = /\S/.exec(head)?.[0]; // \s takes in the byte order mark
  return first !== undefined && first !== '{' && first !== '[';
}

/**
 * What `importResults` gives for a file that `readsLineByLine`, once `reader` has had every line:
 * such a file is no JSON, so it is go test output or nothing benchbot reads.
 */
export function importedLines(reader: GoBenchReader, file: string, format?: InputFormat): ImportResult {
  if (format === undefined && !reader.looksLikeGoBench) return cannotTell(file);
  return finiteSamplesOnly(reader.result(), file);
}
