import type { Direction, ResultIssue } from '../schema.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// The Go benchmark data format (golang.org/design/14313-benchmark-format), what benchstat reads:
// `BenchmarkName-PROCS  ITERATIONS  VALUE UNIT  [VALUE UNIT]...`, plus `key: value` configuration lines.
// "Benchmark" must be followed by the end of the name or a character that is not a lowercase letter.
const RESULT_LINE = /^Benchmark(?![a-z])(\S*)\s+(\d+)\s+(.*)$/;
const CONFIG_LINE = /^([a-z][^\s:]*):\s*(.*)$/;
const FAIL_LINE = /^--- FAIL: Benchmark(?![a-z])(\S*)/;
const PROCS_SUFFIX = /-(\d+)$/;

export function looksLikeGoBench(text: string): boolean {
  return text.split('\n').some((line) => {
    const m = RESULT_LINE.exec(line.trimEnd());
    return m?.[3] !== undefined && /^[-+]?[\d.]+(e[-+]?\d+)?\s+\S/i.test(m[3]);
  });
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

interface RawEntry {
  fullName: string;
  isResultLine: boolean;
  pkg: string | undefined;
  build: (name: string, group: ImportedBenchmark['group']) => ImportedBenchmark[];
}

export function importGoBench(text: string, file: string): ImportResult {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const entries: RawEntry[] = [];
  const errors: ResultIssue[] = [];
  let pkg: string | undefined;

  lines.forEach((line, index) => {
    const place = `line ${index + 1}`;
    const config = CONFIG_LINE.exec(line);
    if (config !== null) {
      if (config[1] === 'pkg') pkg = config[2]?.trim() || undefined;
      return;
    }
    const fail = FAIL_LINE.exec(line);
    if (fail?.[1] !== undefined) {
      const logTail = indentedLinesAfter(lines, index);
      entries.push({
        fullName: fail[1],
        isResultLine: false,
        pkg,
        build: (name, group) => [
          {
            name,
            group,
            metric: 'time',
            unit: 'ns',
            direction: 'lower-is-better',
            samples: [],
            rawSamples: true,
            status: 'failed',
            failure: { reason: 'the benchmark failed (--- FAIL)', logTail },
          },
        ],
      });
      return;
    }
    const result = RESULT_LINE.exec(line);
    if (result === null) return;
    const [, fullName = '', , rest = ''] = result;
    const fields = rest.trim().split(/\s+/);
    if (fields.length % 2 !== 0) {
      errors.push({
        file,
        place,
        message: `expected VALUE UNIT pairs after the iteration count, got "${rest.trim()}"`,
      });
      return;
    }
    const measurements: { spec: MetricSpec; value: number }[] = [];
    for (let i = 0; i < fields.length; i += 2) {
      const raw = fields[i] ?? '';
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) {
        errors.push({ file, place, message: `"${raw}" is not a number (unit ${fields[i + 1]})` });
        return;
      }
      measurements.push({ spec: metricFor(fields[i + 1] ?? ''), value });
    }
    entries.push({
      fullName,
      isResultLine: true,
      pkg,
      build: (name, group) =>
        measurements.map(({ spec, value }) => ({
          name,
          group,
          metric: spec.metric,
          unit: spec.unit,
          direction: spec.direction,
          samples: [value * spec.scale],
          rawSamples: true,
          status: 'ok' as const,
        })),
    });
  });

  if (errors.length > 0) return { ok: false, errors };
  if (entries.length === 0) {
    return {
      ok: false,
      errors: [
        {
          file,
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
    entries.filter((e) => e.isResultLine).map((e) => PROCS_SUFFIX.exec(e.fullName)?.[1] ?? ''),
  );
  const stripProcs = procs.size === 1;
  const benchmarks = entries.flatMap((e) => {
    const name = stripProcs && e.isResultLine ? e.fullName.replace(PROCS_SUFFIX, '') : e.fullName;
    const group =
      e.pkg === undefined ? { kind: 'benchmark' as const } : { kind: 'benchmark' as const, name: e.pkg };
    return e.build(name, group);
  });
  return { ok: true, format: 'go-bench', benchmarks: mergeImported(benchmarks), warnings: [] };
}

function indentedLinesAfter(lines: readonly string[], index: number): string {
  const tail: string[] = [];
  for (const line of lines.slice(index + 1)) {
    if (!/^\s+\S/.test(line)) break;
    tail.push(line.trim());
  }
  return tail.slice(-20).join('\n');
}
