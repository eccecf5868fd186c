import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareResults,
  compareTexts,
  csvField,
  GITHUB_COMMENT_LIMIT,
  type ResultsComparison,
  renderCsv,
  renderJson,
  renderMarkdown,
  significanceOrder,
  summaryLine,
} from '../../core/report/index.js';
import type { Benchmark, Sample } from '../../core/results/index.js';
import { BENCHSTAT_COMPAT, type CompareOptions, DEFAULT_OPTIONS } from '../../core/stats/index.js';

const fixturesDir = resolve(import.meta.dirname, '../fixtures/importers');

const BASE = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];
const scaled = (factor: number) => BASE.map((v) => v * factor);
const samples = (values: readonly number[]): Sample[] => values.map((value) => ({ value }));

function bench(
  name: string,
  baseline: readonly number[] | null,
  changed: readonly number[] | null,
): Benchmark {
  return {
    name,
    group: { kind: 'benchmark' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples: {
      ...(baseline === null ? {} : { baseline: samples(baseline) }),
      ...(changed === null ? {} : { changed: samples(changed) }),
    },
    rawSamples: true,
    status: 'ok',
  };
}

/** 3 faster by 19.2%, 1 slower by 19%, 18 unchanged: the geomean of the ratios is 0.979. */
function knownCase(): Benchmark[] {
  return [
    bench('fast-a', BASE, scaled(0.8077)),
    bench('slow', BASE, scaled(1.19)),
    bench('fast-b', BASE, scaled(0.8077)),
    bench('fast-c', BASE, scaled(0.8077)),
    ...Array.from({ length: 18 }, (_, i) => bench(`same-${i}`, BASE, BASE)),
  ];
}

const compare = (benchmarks: Benchmark[], options: CompareOptions = DEFAULT_OPTIONS): ResultsComparison =>
  compareResults(benchmarks, options);

const tableRows = (markdown: string): string[] => markdown.split('\n').filter((line) => line.startsWith('|'));

describe('summary line', () => {
  it('counts verdicts and gives the geomean first', () => {
    const result = compare(knownCase());
    expect(summaryLine(result)).toBe('3 faster, 1 slower, 18 unchanged · geomean -2.1%');
    expect(renderMarkdown(result).split('\n')[0]).toBe(
      '**3 faster, 1 slower, 18 unchanged · geomean -2.1%**',
    );
  });

  it('adds too-few-samples, failed and one-sided counts', () => {
    const failed: Benchmark = {
      ...bench('broken', null, null),
      status: 'failed',
      failure: { reason: 'exit status 1' },
    };
    const result = compare([
      bench('a', BASE, BASE),
      bench('few', [1, 2], [3, 4]),
      bench('new', null, BASE),
      failed,
    ]);
    expect(summaryLine(result)).toBe(
      '0 faster, 0 slower, 1 unchanged, 1 too few samples · geomean +52.8% · 1 failed · 1 on one side only',
    );
  });
});

describe('markdown report', () => {
  it('says which test and correction decided', () => {
    const markdown = renderMarkdown(compare(knownCase()));
    expect(markdown).toContain(
      'Samples unpaired (Mann-Whitney U) · p adjusted by Holm over 22 benchmarks · α = 0.05 · minimum effect 1% · medians ± 95% confidence interval',
    );
    const benchstat = renderMarkdown(compare(knownCase(), BENCHSTAT_COMPAT));
    expect(benchstat).toContain('p not adjusted for multiple comparisons');
    expect(benchstat).toContain('no minimum effect');
    expect(benchstat).toContain('benchstat-compatible');
  });

  it('orders significant changes by adjusted p, then by the size of the change', () => {
    const benchmarks = [
      bench('small-sure', BASE, scaled(1.05)),
      bench('big-sure', BASE, scaled(1.5)),
      bench('big-less-sure', [...BASE.slice(0, 9), 200], [...scaled(1.6).slice(0, 9), 100]),
      bench('faster-sure', BASE, scaled(0.7)),
      bench('same', BASE, BASE),
    ];
    const result = compare(benchmarks, { ...DEFAULT_OPTIONS, correction: 'none' });
    expect(significanceOrder(result.benchmarks).map((b) => b.name)).toEqual([
      'big-sure',
      'faster-sure',
      'small-sure',
      'big-less-sure',
    ]);
    const markdown = renderMarkdown(result);
    const significant = markdown.slice(markdown.indexOf('### Significant'), markdown.indexOf('<details>'));
    expect(tableRows(significant).slice(2)).toEqual([
      '| `big-sure` | 105 ns ± 3% | 157 ns ± 3% | ❌ +50.0% slower | <0.001 | 10 / 10 |',
      '| `faster-sure` | 105 ns ± 3% | 73.2 ns ± 3% | ✅ -30.0% faster | <0.001 | 10 / 10 |',
      '| `small-sure` | 105 ns ± 3% | 110 ns ± 3% | ❌ +5.0% slower | 0.002 | 10 / 10 |',
      '| `big-less-sure` | 105 ns ± 3% | 166 ns ± 3% | ❌ +58.5% slower | 0.015 | 10 / 10 |',
    ]);
    expect(markdown).toContain('<details><summary>All 5 benchmarks</summary>');
    expect(markdown).toContain('| `same` | 105 ns ± 3% | 105 ns ± 3% | ➖ unchanged | 1.000 | 10 / 10 |');
  });

  it('explains too few samples and unbounded intervals once, in footnotes', () => {
    const markdown = renderMarkdown(compare([bench('a', [1, 2, 3], [4, 5, 6]), bench('b', [1, 2], [3, 4])]));
    expect(markdown).toContain('| `a` | 2.00 ns ± ∞¹ | 5.00 ns ± ∞¹ | ❔ too few samples² |');
    expect(markdown).toContain('¹ need ≥ 6 samples for confidence interval at level 0.95');
    expect(markdown).toContain(
      '² need ≥ 5 samples per side to detect a change at α = 0.05 after Holm correction over 2 benchmarks',
    );
    expect(markdown.match(/^¹ /gm)).toHaveLength(1);
  });

  it('lists failed and one-sided benchmarks instead of dropping them', () => {
    const failed: Benchmark = {
      ...bench('broken|name', null, null),
      status: 'failed',
      failure: { reason: 'fixture missing\nsecond line', logTail: 'log' },
    };
    const markdown = renderMarkdown(
      compare([bench('kept', BASE, BASE), bench('added', null, BASE), bench('gone', BASE, null), failed]),
    );
    expect(markdown).toContain('### Not compared');
    expect(markdown).toContain('- ⛔ failed: `broken|name`: `fixture missing`');
    expect(markdown).toContain('- 🆕 new, only in changed: `added`');
    expect(markdown).toContain('- 🚫 removed, only in baseline: `gone`');
    expect(markdown).toContain('No significant changes.');
  });

  it('keeps names from formatting the comment', () => {
    const markdown = renderMarkdown(compare([bench('a|b `@team` <b>', BASE, BASE)]));
    expect(markdown).toContain('| ``a\\|b `@team` <b>`` |');
  });

  it('pairs samples by round and says so', () => {
    const rounds = (values: readonly number[]): Sample[] => values.map((value, round) => ({ value, round }));
    const drifting = BASE.map((v, i) => v + i * 10);
    const paired: Benchmark = {
      ...bench('paired', null, null),
      samples: {
        // A retried round: only attempt 2 counts.
        baseline: [...rounds(drifting), { value: 1e6, round: 3, attempt: 1 }].map((s) =>
          s.round === 3 && s.value !== 1e6 ? { ...s, attempt: 2 } : s,
        ),
        changed: rounds(drifting.map((v) => v * 1.03)),
      },
    };
    const result = compare([paired]);
    expect(result.pairing).toBe('paired');
    const [only] = result.benchmarks;
    expect(only?.comparison.test).toBe('moderated-t-paired');
    expect(only?.comparison.verdict).toBe('slower');
    expect(only?.comparison.pctChange).toBeCloseTo(3, 6);
    expect(only?.comparison.baseline.n).toBe(10);
    expect(renderMarkdown(result)).toContain(
      "Samples paired by round (t test on the trimmed mean log ratio, variance moderated across the report's benchmarks)",
    );
    const signedRank = compare([paired], { ...DEFAULT_OPTIONS, paired: 'signed-rank' });
    expect(signedRank.benchmarks[0]?.comparison.test).toBe('wilcoxon-signed-rank-paired');
    expect(renderMarkdown(signedRank)).toContain('Samples paired by round (Wilcoxon signed-rank)');
  });
});

describe('repeats within rounds', () => {
  // 4 rounds of 25 repeats: each side's round median moves with the round, the changed side 3%
  // slower, and the repeats scatter ±5% around their round's median.
  const scatter = Array.from({ length: 25 }, (_, j) => 0.95 + (0.1 * j) / 24);
  const drift = [1, 1.2, 0.9, 1.1];
  const repeated = (factor: number): Sample[] =>
    drift.flatMap((d, round) => scatter.map((s) => ({ value: 100 * d * s * factor, round })));
  const withRepeats: Benchmark = {
    ...bench('repeated', null, null),
    samples: { baseline: repeated(1), changed: repeated(1.03) },
  };

  it('are summarised per round, never counted as rounds, and bound the variance from below', () => {
    const result = compare([withRepeats]);
    const c = result.benchmarks[0]?.comparison;
    expect(c?.test).toBe('moderated-t-paired');
    expect(c?.baseline.n).toBe(100);
    expect(c?.pctChange).toBeCloseTo(3, 6);
    expect(c?.note).toContain('over 4 interleaved rounds');
    // The rounds agree exactly, so only the repeats' spread stands between 3% and certainty.
    expect(c?.note).toContain(
      'the spread of the repeats within rounds, larger than between rounds, set the variance',
    );
    expect(c?.p).toBeGreaterThan(1e-4);
    expect(c?.p).toBeLessThan(0.05);
  });
});

describe('derived metrics', () => {
  /** go test -bench output: each benchmark's MB/s is computed from its ns/op by b.SetBytes(1024). */
  const goBench = (factors: readonly number[]): string =>
    factors
      .flatMap((factor, b) =>
        BASE.map((v) => {
          const ns = v * factor;
          return `BenchmarkHash${b}-8  1000000  ${ns.toFixed(2)} ns/op  ${((1024 / ns) * 1e3).toFixed(2)} MB/s`;
        }),
      )
      .join('\n');

  it('counts one hypothesis per measurement; throughput takes the verdict of its time', () => {
    const result = compareTexts(
      { file: 'old.txt', text: goBench([1, 1, 1, 1]) },
      { file: 'new.txt', text: goBench([1, 1.2, 1, 1]) },
      DEFAULT_OPTIONS,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { comparison } = result;
    expect(comparison.benchmarks).toHaveLength(8);
    expect(comparison.testedCount).toBe(4);
    expect(comparison.derivedCount).toBe(4);
    const byLabel = new Map(comparison.benchmarks.map((b) => [b.label, b.comparison]));
    for (let b = 0; b < 4; b++) {
      const time = byLabel.get(`Hash${b}`);
      const throughput = byLabel.get(`Hash${b} (throughput)`);
      expect(throughput?.follows).toBe(`Hash${b}`);
      expect(throughput?.verdict).toBe(time?.verdict);
      expect(throughput?.pAdjusted).toBe(time?.pAdjusted);
      expect(time?.follows).toBeUndefined();
    }
    expect(byLabel.get('Hash1')?.verdict).toBe('slower');
    expect(byLabel.get('Hash1 (throughput)')?.pctChange).toBeCloseTo((1 / 1.2 - 1) * 100, 0);
    // The summary counts measurements: Hash1 once, not its throughput again.
    expect(comparison.counts).toMatchObject({ slower: 1, unchanged: 3 });
    expect(renderMarkdown(comparison)).toContain(
      'p adjusted by Holm over 4 benchmarks · throughput derived from a time takes its verdict (one hypothesis per measurement)',
    );
  });

  it('tests a throughput on its own when no time of the same benchmark is compared', () => {
    const throughputOnly = (factor: number): Benchmark => ({
      ...bench('copy', scaled(1), scaled(factor)),
      metric: 'throughput',
      unit: 'B/s',
      direction: 'higher-is-better',
    });
    const result = compare([throughputOnly(1.2), bench('other', BASE, BASE)]);
    expect(result.testedCount).toBe(2);
    expect(result.derivedCount).toBe(0);
    expect(result.benchmarks[0]?.comparison.verdict).toBe('faster');
  });
});

describe('the GitHub comment limit', () => {
  const many = (count: number, factor: number) =>
    Array.from({ length: count }, (_, i) =>
      bench(`BenchmarkSomethingRatherLong/case=${i}/size=${i * 7}`, BASE, scaled(factor)),
    );

  const expectWholeRows = (markdown: string) => {
    for (const row of tableRows(markdown).filter((r) => !r.startsWith('|--'))) {
      expect(row).toMatch(/^\| .* \|$/);
      // Six columns: seven unescaped pipes.
      expect(row.replaceAll('\\|', '').split('|')).toHaveLength(8);
    }
  };

  it('drops the full table first, then shortens the significant table, never cutting a row', () => {
    // Benjamini-Hochberg: with Holm over 5000 benchmarks, 10 samples a side could not show anything.
    const result = compare(many(5000, 1.2), { ...DEFAULT_OPTIONS, correction: 'bh' });
    expect(result.counts.slower).toBe(5000);
    const markdown = renderMarkdown(result);
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(markdown.length).toBeGreaterThan(55_000);
    expect(markdown.split('\n')[0]).toBe('**0 faster, 5000 slower, 0 unchanged · geomean +20.0%**');
    expect(markdown).not.toContain('<details>');
    expect(markdown).toContain('Full table omitted (5000 rows)');
    expect(markdown).toContain('`benchbot compare --format csv`');
    const shown = tableRows(markdown).length - 2;
    expect(markdown).toContain(`…and ${5000 - shown} more significant changes`);
    expectWholeRows(markdown);
  });

  it('keeps the full table when only it is large but fits, and honours a custom budget', () => {
    const result = compare(many(300, 1));
    const roomy = renderMarkdown(result, { budget: GITHUB_COMMENT_LIMIT });
    expect(roomy).toContain('<details><summary>All 300 benchmarks</summary>');
    const tight = renderMarkdown(result, { budget: 2_000 });
    expect(tight.length).toBeLessThanOrEqual(2_000);
    expect(tight).toContain('Full table omitted (300 rows)');
    expectWholeRows(tight);
  });

  it('shortens a long list of failures with a count, keeping some significant rows', () => {
    const failures = Array.from(
      { length: 5000 },
      (_, i): Benchmark => ({
        ...bench(`failing-${i}`, null, null),
        status: 'failed',
        failure: { reason: `exit status ${i} after a rather long explanation of what went wrong` },
      }),
    );
    const markdown = renderMarkdown(
      compare([...many(100, 1.2), ...failures], { ...DEFAULT_OPTIONS, correction: 'bh' }),
    );
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(tableRows(markdown).length - 2).toBeGreaterThanOrEqual(20);
    expect(markdown).toMatch(/…and \d+ more not compared/);
    expectWholeRows(markdown);
  });
});

describe('group totals on the milestones fixture', () => {
  const text = readFileSync(join(fixturesDir, 'milestones/scale-test.json'), 'utf8');
  const slower = JSON.stringify({
    ...JSON.parse(text),
    phases: (JSON.parse(text).phases as { name: string; seconds: number[] }[]).map((p) => ({
      ...p,
      seconds: p.seconds.map((s) => s * 1.1),
    })),
  });

  it('sums phase medians and takes the latest milestone, per side', () => {
    const result = compareTexts(
      { file: 'base.json', text },
      { file: 'changed.json', text: slower },
      DEFAULT_OPTIONS,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const totals = result.comparison.groupTotals;
    expect(totals.map((t) => [t.group.kind, t.how, t.count])).toEqual([
      ['milestone', 'latest-milestone', 4],
      ['phase', 'sum-of-phases', 3],
    ]);
    const phases = totals[1];
    expect(phases?.baseline).toBeCloseTo(
      (0.46137623300000996 + 0.1716583579999451 + 0.1736685570000418) * 1e9,
      0,
    );
    expect(phases?.pctChange).toBeCloseTo(10, 6);
    expect(totals[0]?.pctChange).toBe(0);
    const markdown = renderMarkdown(result.comparison);
    expect(markdown).toContain('### Milestones and phases');
    expect(markdown).toContain(
      '| `files-20k` | **sum of 3 phases** | 807 ms | 887 ms | +80.7 ms | +10.0% | not a test |',
    );
    expect(markdown).toContain(
      '| `files-20k` | **latest of 4 milestones** | 833 ms | 833 ms | 0 ns | 0.0% | not a test |',
    );
    expect(markdown).toContain('`files-20k phases › deploy`');
  });
});

describe('CSV and JSON', () => {
  it.each<[string | number | null, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [1.5, '1.5'],
    [null, ''],
  ])('csvField(%j) is %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes one CRLF-terminated row per benchmark, failed and one-sided included', () => {
    const failed: Benchmark = {
      ...bench('broken', null, null),
      status: 'failed',
      failure: { reason: 'exit 1, "oops"' },
    };
    const csv = renderCsv(compare([bench('a,"b"', BASE, scaled(1.2)), bench('new', null, BASE), failed]));
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      'group_kind,group_name,name,metric,unit,direction,verdict,baseline_n,baseline_median,baseline_ci_lo,baseline_ci_hi,changed_n,changed_median,changed_ci_lo,changed_ci_hi,ratio,pct_change,test,p,p_adjusted,note',
    );
    expect(lines[1]).toMatch(/^benchmark,,"a,""b""",time,ns,lower-is-better,slower,10,104\.5,/);
    expect(lines[2]).toBe(
      `benchmark,,broken,time,ns,lower-is-better,failed${','.repeat(13)},"exit 1, ""oops"""`,
    );
    expect(lines[3]).toBe(`benchmark,,new,time,ns,lower-is-better,only-in-changed${','.repeat(14)}`);
    expect(lines[4]).toBe('');
  });

  it('writes a stable JSON shape with the options and every comparison', () => {
    const json = JSON.parse(renderJson(compare(knownCase()))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'schema',
      'schemaVersion',
      'summary',
      'counts',
      'options',
      'pairing',
      'testedCount',
      'looks',
      'geomeans',
      'benchmarks',
      'groupTotals',
      'failed',
      'oneSided',
    ]);
    expect(json).toMatchObject({
      schema: 'benchbot-comparison',
      schemaVersion: 3,
      summary: '3 faster, 1 slower, 18 unchanged · geomean -2.1%',
      options: DEFAULT_OPTIONS,
      pairing: 'unpaired',
      testedCount: 22,
      geomeans: [{ metric: 'time', unit: 'ns', count: 22, excluded: [] }],
    });
    const benchmarks = json.benchmarks as Record<string, unknown>[];
    expect(benchmarks).toHaveLength(22);
    expect(benchmarks[1]).toMatchObject({
      label: 'slow',
      verdict: 'slower',
      baseline: { n: 10, median: 104.5, ciNote: null },
      test: 'mann-whitney-u',
      needSamples: null,
      follows: null,
      look: null,
    });
    expect(json.looks).toBeNull();
  });
});
