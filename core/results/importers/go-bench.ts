import type { BenchmarkFailure, Direction, ResultIssue } from '../schema.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// The Go benchmark data format (golang.org/design/14313-benchmark-format), what benchstat reads:
// `BenchmarkName-PROCS  ITERATIONS  VALUE UNIT  [VALUE UNIT]...`, plus `key: value` configuration lines.
// "Benchmark" must be followed by the end of the name or a character that is not a lowercase letter.
const RESULT_LINE = /^Benchmark(?![a-z])(\S*)\s+(\d+)\s+(.*)$/;
const CONFIG_LINE = /^([a-z][^\s:]*):\s*(.*)$/;
const FAIL_LINE = /^--- FAIL: Benchmark(?![a-z])(\S*)/;
const PROCS_SUFFIX = /-(\d+)$/;
const FIRST_MEASUREMENT = /^[-+]?[\d.]+(e[-+]?\d+)?\s+\S/i;
const INDENTED = /^\s+\S/;
const LOG_TAIL_LINES = 20;

/** Whether one line of a file (split at '\n') is a Go benchmark result line; detection needs one. */
function isGoBenchLine(line: string): boolean {
  const m = RESULT_LINE.exec(line.trimEnd());
  return m?.[3] !== undefined && FIRST_MEASUREMENT.test(m[3]);
}

export function looksLikeGoBench(text: string): boolean {
  return text.split('\n').some(isGoBenchLine);
}

interface MetricSpec {
  metric: string;
  unit: string;
  direction: Direction;
  scale: number;
}

function metricFor(unit: string): MetricSpec {
  switch (unit) {
    case 'ns/op':
      return { metric: 'time', unit: 'ns', direction: 'lower-is-better', scale: 1 };
    case 'sec/op':
      return { metric: 'time', unit: 'ns', direction: 'lower-is-better', scale: 1e9 };
    case 'MB/s': // testing.B computes MB/s with MB = 1e6 bytes
      return { metric: 'throughput', unit: 'B/s', direction: 'higher-is-better', scale: 1e6 };
    case 'B/s':
      return { metric: 'throughput', unit: 'B/s', direction: 'higher-is-better', scale: 1 };
    case 'B/op':
      return { metric: 'memory', unit: 'B', direction: 'lower-is-better', scale: 1 };
    case 'allocs/op':
      return { metric: 'allocs', unit: 'allocs/op', direction: 'lower-is-better', scale: 1 };
    default:
      // b.ReportMetric units: rates (`/s`) are better higher, per-op costs better lower.
      return {
        metric: unit,
        unit,
        direction: unit.endsWith('/s') ? 'higher-is-better' : 'lower-is-better',
        scale: 1,
      };
  }
}

/**
 * The samples of one benchmark line name and metric in one package, as the file gives them. A
 * `--- FAIL:` line makes a series of its own: its name never carries the -PROCS suffix.
 */
interface Series {
  fullName: string;
  pkg: string | undefined;
  isResultLine: boolean;
  spec: MetricSpec;
  values: number[];
  failure?: BenchmarkFailure;
}

/**
 * A fresh copy of a string cut from a longer one. V8 keeps a substring as a view on its parent, so
 * a benchmark name kept from a line would keep the whole chunk of the file that line came from.
 */
const detached = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

interface NameSeries {
  byMetric: Map<string, Series>;
  failed?: Series;
}

/**
 * Reads `go test -bench` output one line at a time (the lines of the file split at '\n', in order),
 * so a large file never needs to be in memory whole: each benchmark's samples go straight into one
 * array per metric. `result()` then gives what `importGoBench` gives for the whole text.
 */
export class GoBenchReader {
  /** Whether some line so far is a benchmark result line, as format detection asks. */
  looksLikeGoBench = false;
  private readonly file: string;
  private readonly series: Series[] = [];
  /** Per package, per line name: the series of each metric, and the one of its `--- FAIL:` lines. */
  private readonly index = new Map<string | undefined, Map<string, NameSeries>>();
  private readonly specs = new Map<string, MetricSpec>();
  private readonly errors: ResultIssue[] = [];
  private pkg: string | undefined;
  private lineNumber = 0;
  /** The log lines under the latest `--- FAIL:` line, while they are still coming. */
  private tail: { failure: BenchmarkFailure; lines: string[] } | undefined;

  constructor(file: string) {
    this.file = file;
  }

  line(raw: string): void {
    this.lineNumber++;
    if (!this.looksLikeGoBench && isGoBenchLine(raw)) this.looksLikeGoBench = true;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.tail !== undefined) {
      if (INDENTED.test(line)) {
        this.tail.lines.push(line.trim());
        if (this.tail.lines.length > LOG_TAIL_LINES) this.tail.lines.shift();
        this.tail.failure.logTail = this.tail.lines.join('\n');
        return;
      }
      this.tail = undefined;
    }
    const config = CONFIG_LINE.exec(line);
    if (config !== null) {
      if (config[1] === 'pkg') {
        const pkg = config[2]?.trim() || undefined;
        this.pkg = pkg === undefined ? undefined : detached(pkg);
      }
      return;
    }
    const fail = FAIL_LINE.exec(line);
    if (fail?.[1] !== undefined) {
      const failure: BenchmarkFailure = { reason: 'the benchmark failed (--- FAIL)', logTail: '' };
      const name = this.nameSeries(fail[1]);
      name.failed ??= this.newSeries(fail[1], false, metricFor('ns/op'));
      name.failed.failure ??= failure;
      this.tail = { failure, lines: [] };
      return;
    }
    const result = RESULT_LINE.exec(line);
    if (result === null) return;
    const [, fullName = '', , rest = ''] = result;
    const fields = rest.trim().split(/\s+/);
    if (fields.length % 2 !== 0) {
      this.errors.push({
        file: this.file,
        place: `line ${this.lineNumber}`,
        message: `expected VALUE UNIT pairs after the iteration count, got "${rest.trim()}"`,
      });
      return;
    }
    // Checked whole before any is kept, so a line with a bad value adds nothing.
    for (let i = 0; i < fields.length; i += 2) {
      const raw = fields[i] ?? '';
      if (raw === '' || !Number.isFinite(Number(raw))) {
        this.errors.push({
          file: this.file,
          place: `line ${this.lineNumber}`,
          message: `"${raw}" is not a number (unit ${fields[i + 1]})`,
        });
        return;
      }
    }
    const name = this.nameSeries(fullName);
    for (let i = 0; i < fields.length; i += 2) {
      const spec = this.specFor(fields[i + 1] ?? '');
      let series = name.byMetric.get(spec.metric);
      if (series === undefined) {
        series = this.newSeries(fullName, true, spec);
        name.byMetric.set(spec.metric, series);
      }
      series.values.push(Number(fields[i]) * spec.scale);
    }
  }

  result(): ImportResult {
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    if (this.series.length === 0) {
      return {
        ok: false,
        errors: [
          {
            file: this.file,
            place: '',
            message:
              'no benchmark result lines (like "BenchmarkX-8  1000  123 ns/op"); capture the output of `go test -run ^$ -bench . -count 10`',
          },
        ],
      };
    }
    // The -PROCS suffix names the machine's GOMAXPROCS, not the benchmark: drop it when the whole file
    // shares one value so runs on machines with different core counts still pair; keep it when the
    // file mixes values (-cpu 1,2,4), because then it tells the benchmarks apart.
    // `--- FAIL:` lines never carry the suffix, so only result lines decide.
    const procs = new Set(
      this.series.filter((s) => s.isResultLine).map((s) => PROCS_SUFFIX.exec(s.fullName)?.[1] ?? ''),
    );
    const stripProcs = procs.size === 1;
    const benchmarks = this.series.map((s): ImportedBenchmark => {
      const name = stripProcs && s.isResultLine ? s.fullName.replace(PROCS_SUFFIX, '') : s.fullName;
      const group =
        s.pkg === undefined ? { kind: 'benchmark' as const } : { kind: 'benchmark' as const, name: s.pkg };
      const { metric, unit, direction } = s.spec;
      const common = { name, group, metric, unit, direction, samples: s.values, rawSamples: true };
      return s.failure === undefined
        ? { ...common, status: 'ok' }
        : { ...common, status: 'failed', failure: s.failure };
    });
    return { ok: true, format: 'go-bench', benchmarks: mergeImported(benchmarks), warnings: [] };
  }

  private specFor(unit: string): MetricSpec {
    let spec = this.specs.get(unit);
    if (spec === undefined) {
      const own = detached(unit);
      spec = metricFor(own);
      this.specs.set(own, spec);
    }
    return spec;
  }

  private nameSeries(fullName: string): NameSeries {
    let byName = this.index.get(this.pkg);
    if (byName === undefined) {
      byName = new Map();
      this.index.set(this.pkg, byName);
    }
    let name = byName.get(fullName);
    if (name === undefined) {
      name = { byMetric: new Map() };
      byName.set(detached(fullName), name);
    }
    return name;
  }

  private newSeries(fullName: string, isResultLine: boolean, spec: MetricSpec): Series {
    const series: Series = { fullName: detached(fullName), pkg: this.pkg, isResultLine, spec, values: [] };
    this.series.push(series);
    return series;
  }
}

export function importGoBench(text: string, file: string): ImportResult {
  const reader = new GoBenchReader(file);
  for (const line of text.split('\n')) reader.line(line);
  return reader.result();
}
