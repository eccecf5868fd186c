// How long benchbot takes to refuse hostile text: trigger comments (a billion-laughs body, huge and
// deeply nested comments) and a config file holding a billion laughs. The tests check what each
// parse answers; this prints how fast, as Markdown for BENCHMARKS.md.
//
//   npx tsx bench/hostile-input.bench.ts [--runs 9]
//
// Each figure is the median of `--runs` parses after one warm-up, in this one process.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../core/config/index.js';
import { parseTrigger, type TriggerContext } from '../core/trigger.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const RUNS = option('runs', 9);
const CONTEXT: TriggerContext = { allowedBenchmarks: ['tpch'], defaultBenchmarks: ['tpch'] };

/** Nine levels of nine aliases each: 9^9 nodes, were it expanded. */
function billionLaughs(): string {
  const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++) {
    const [prev, next] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
    lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return lines.join('\n');
}

const example = readFileSync(new URL('../benchbot.example.yaml', import.meta.url), 'utf8');
const cases: [string, () => { ok: boolean }][] = [
  ['trigger: billion laughs', () => result(parseTrigger(`run benchmark tpch\n${billionLaughs()}`, CONTEXT))],
  [
    'trigger: a huge first line (1 MB)',
    () => result(parseTrigger(`run benchmark ${'tpch '.repeat(200_000)}`, CONTEXT)),
  ],
  ['trigger: a huge non-trigger (5 MB)', () => result(parseTrigger('x'.repeat(5_000_000), CONTEXT))],
  [
    'trigger: deep braces (16,000)',
    () => result(parseTrigger(`run benchmark tpch\nenv: ${'{a: '.repeat(16_000)}`, CONTEXT)),
  ],
  [
    'trigger: deep compact sequences (32,000)',
    () => result(parseTrigger(`run benchmark tpch\n${'- '.repeat(32_000)}`, CONTEXT)),
  ],
  [
    'config: the example with a billion laughs in it',
    () => parseConfig(`${example}\n${billionLaughs().replace(/^/gm, 'x')}`, 'benchbot.yaml'),
  ],
];

function result(parsed: ReturnType<typeof parseTrigger>): { ok: boolean } {
  return { ok: parsed.trigger && 'request' in parsed };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

console.log(`## Refusing hostile input\n`);
console.log(`npx tsx bench/hostile-input.bench.ts --runs ${RUNS}; median of ${RUNS} after 1 warm-up`);
console.log(`machine: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}\n`);
console.log('| input | refused or ignored | median ms | max ms |');
console.log('|---|---|---:|---:|');
for (const [name, parse] of cases) {
  parse();
  const times: number[] = [];
  let refused = true;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    refused = !parse().ok;
    times.push(performance.now() - start);
  }
  console.log(
    `| ${name} | ${refused ? 'yes' : 'no'} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`,
  );
}
