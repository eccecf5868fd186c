// benchbot's statistics on real go test -bench output: the Go module of test/runner/go-module.ts
// (ten benchmarks, one made 5% slower by extra work; and an A/A commit that changes only the
// README), RUNS runs of 10 interleaved rounds each through the runner, every run judged four ways
// on the same samples. Also checks the rule for real samples: every benchmark where
// benchstat finds p < 0.001 and a change above the 1% minimum effect is reported changed, in the
// same direction, by benchbot's defaults.
//
//   npx tsx bench/go-power.ts [--runs 5]
//
// Progress goes to stderr, the table to stdout.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareResults, formatPct } from '../core/report/index.js';
import { parseResults } from '../core/results/schema.js';
import { BENCHSTAT_COMPAT, type CompareOptions, DEFAULT_OPTIONS } from '../core/stats/index.js';
import { runRunner, writeSpec } from '../test/runner/fixture-repo.js';
import { GO_BENCHMARKS, goModuleSpec, makeGoModuleRepo, SLOW_BENCHMARK } from '../test/runner/go-module.js';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS <= 0) throw new Error(`--runs must be a positive integer`);

const MODES: Array<{ label: string; opts: CompareOptions }> = [
  { label: 'defaults (moderated t, Holm, 1%)', opts: DEFAULT_OPTIONS },
  { label: 'signed-rank, Holm, 1%', opts: { ...DEFAULT_OPTIONS, paired: 'signed-rank' } },
  { label: 'U test, Holm, 1%', opts: { ...DEFAULT_OPTIONS, paired: 'never' } },
  { label: 'benchstat (U test, no correction)', opts: BENCHSTAT_COMPAT },
];

const started = performance.now();
const progress = (message: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);

async function main(): Promise<void> {
  const repo = await makeGoModuleRepo();
  const found = MODES.map(() => 0);
  const falseAlarms = { slower: MODES.map(() => 0), docs: MODES.map(() => 0) };
  const changes: number[] = [];
  // benchstat's confident findings (p < 0.001, above the minimum effect), split by the truth.
  const benchstatFinds = { planted: 0, plantedAgreed: 0, untouched: 0, untouchedAgreed: 0 };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const changed of ['slower', 'docs'] as const) {
        progress(`run ${run + 1} of ${RUNS}: main vs ${changed}`);
        const out = await mkdtemp(join(tmpdir(), 'benchbot-go-power-'));
        try {
          const spec = goModuleSpec(repo, changed, 100 + run);
          const result = await runRunner(['--spec', await writeSpec(out, spec), '--out', out]);
          if (result.code !== 0) throw new Error(`runner exited ${result.code}: ${result.stderr}`);
          const parsed = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'results.json');
          if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
          const reports = MODES.map((m) => compareResults(parsed.results.benchmarks, m.opts));
          reports.forEach((report, m) => {
            for (const b of report.benchmarks) {
              const isSlow = changed === 'slower' && b.name === SLOW_BENCHMARK;
              if (isSlow && b.comparison.verdict === 'slower') found[m] = (found[m] as number) + 1;
              if (!isSlow && b.comparison.verdict !== 'unchanged')
                falseAlarms[changed][m] = (falseAlarms[changed][m] as number) + 1;
            }
          });
          const [defaults, , , benchstat] = reports;
          for (const b of benchstat?.benchmarks ?? []) {
            const c = b.comparison;
            if (c.p === null || c.p >= 0.001 || Math.abs(c.pctChange ?? 0) < DEFAULT_OPTIONS.thresholdPct)
              continue;
            const agreed =
              defaults?.benchmarks.find((d) => d.label === b.label)?.comparison.verdict === c.verdict;
            const kind = changed === 'slower' && b.name === SLOW_BENCHMARK ? 'planted' : 'untouched';
            benchstatFinds[kind]++;
            if (agreed) benchstatFinds[`${kind}Agreed`]++;
          }
          const slow = defaults?.benchmarks.find((b) => b.name === SLOW_BENCHMARK)?.comparison;
          if (changed === 'slower' && slow?.pctChange != null) changes.push(slow.pctChange);
        } finally {
          await rm(out, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await rm(repo.root, { recursive: true, force: true });
  }
  const others = RUNS * (GO_BENCHMARKS - 1);
  const lines = [
    `${RUNS} runs of each comparison, 10 interleaved rounds of go test -count 5 (CPU time per op), ${GO_BENCHMARKS} benchmarks; ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
    '',
    '| judged by | 5% slowdown found | false alarms, slower run (of ' +
      `${others}) | false alarms, A/A run (of ${RUNS * GO_BENCHMARKS}) |`,
    '|---|---|---|---|',
    ...MODES.map(
      (m, k) => `| ${m.label} | ${found[k]} of ${RUNS} | ${falseAlarms.slower[k]} | ${falseAlarms.docs[k]} |`,
    ),
    '',
    `${SLOW_BENCHMARK}'s change as the defaults estimate it: ${changes.map(formatPct).join(', ')}.`,
    `benchstat's rule found ${benchstatFinds.planted + benchstatFinds.untouched} changes with p < 0.001 above the 1% ` +
      `minimum effect: ${benchstatFinds.planted} the planted slowdown, of which the defaults reported ` +
      `${benchstatFinds.plantedAgreed} the same way, and ${benchstatFinds.untouched} in benchmarks whose code did not ` +
      `change (false alarms), of which the defaults reported ${benchstatFinds.untouchedAgreed}.`,
  ];
  console.log(lines.join('\n'));
}

await main();
