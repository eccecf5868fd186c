import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BenchbotConfig,
  findRepo,
  formatConfigIssues,
  parseConfig,
  type RepoConfig,
} from '../../core/config/index.js';
import {
  buildJobSpec,
  type JobSpecInput,
  parseJobSpec,
  type RoundOrder,
  sidesInRound,
} from '../../core/job-spec.js';
import { planRuns } from '../../runner/interleave.js';
import { PROJECT_ROOT } from './fixture-repo.js';

function parseOk(text: string): BenchbotConfig {
  const result = parseConfig(text, 'benchbot.yaml');
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

const example = parseOk(readFileSync(join(PROJECT_ROOT, 'benchbot.example.yaml'), 'utf8'));
const datafusion = findRepo(example, 'apache/datafusion') as RepoConfig;
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

const input = (overrides: Partial<JobSpecInput> = {}): JobSpecInput => ({
  repo: datafusion,
  sides: {
    baseline: { ref: 'main', sha: SHA_A, env: {} },
    changed: { ref: 'refs/pull/42/head', sha: SHA_B, env: { DATAFUSION_EXECUTION_TARGET_PARTITIONS: '4' } },
  },
  benchmarks: ['tpch', 'sql_planner'],
  reason: 'pr-comment',
  pullRequest: 42,
  platform: 'x86-64-linux',
  seed: 1234,
  ...overrides,
});

describe('buildJobSpec', () => {
  it('takes build and benchmarks from the config, the sides as resolved', () => {
    const built = buildJobSpec(input());
    if (!built.ok) throw new Error(built.error);
    const { spec } = built;
    expect(spec).toMatchObject({
      specVersion: 1,
      repository: 'apache/datafusion',
      url: 'https://github.com/apache/datafusion.git',
      pullRequest: 42,
      build: { command: 'cargo build --release --bin dfbench', workdir: '.', timeoutSeconds: 3600 },
      order: { scheme: 'balanced-random', seed: 1234 },
      pinCpus: null,
    });
    expect(spec.sides.changed.env).toEqual({ DATAFUSION_EXECUTION_TARGET_PARTITIONS: '4' });
    expect(spec.benchmarks.map((b) => [b.name, b.output, b.timeoutSeconds])).toEqual([
      ['tpch', { path: 'benchmarks/results', format: 'dfbench-json' }, 1800],
      ['sql_planner', { path: 'target/criterion', format: 'criterion' }, 1800],
    ]);
    expect(parseJobSpec(JSON.stringify(spec), 'spec.json')).toEqual({ ok: true, spec });
  });

  it('carries wall-clock benchmarks with no output file', () => {
    const config = parseOk(`version: 1
repos:
  - name: acme/widget
    benchmarks:
      - { name: startup, command: ./target/release/app --version, output: { format: wall-clock } }
`);
    const built = buildJobSpec(
      input({ repo: findRepo(config, 'acme/widget') as RepoConfig, benchmarks: ['startup'] }),
    );
    expect(built.ok && built.spec.benchmarks[0]?.output).toEqual({ path: null, format: 'wall-clock' });
  });

  it('refuses a wall-clock benchmark that names an output file', () => {
    const result = parseConfig(
      `version: 1
repos:
  - name: acme/widget
    benchmarks:
      - { name: startup, command: ./app, output: { path: out.json, format: wall-clock } }
`,
      'benchbot.yaml',
    );
    expect(result.ok ? '' : formatConfigIssues(result.issues)).toMatch(
      /repos\[0\]\.benchmarks\[0\]\.output\.path.*wall-clock output is timed by the runner and has no file; remove path/,
    );
  });

  it.each([
    [{ benchmarks: ['tpch', 'tpch-h'] }, /has no benchmark tpch-h; it defines: tpch, tpch10/],
    [{ platform: 'riscv' }, /does not run on riscv; its platforms are x86-64-linux/],
    [
      {
        sides: {
          baseline: { ref: 'main', sha: 'abc123', env: {} },
          changed: { ref: 'x', sha: SHA_B, env: {} },
        },
      },
      /sides\.baseline\.sha: expected a full commit SHA/,
    ],
  ] as const)('refuses %o', (overrides, message) => {
    const built = buildJobSpec(input(overrides as Partial<JobSpecInput>));
    expect(built.ok).toBe(false);
    expect(built.ok ? '' : built.error).toMatch(message);
  });
});

describe('parseJobSpec', () => {
  it.each([
    ['{"specVersion": 2}', /specVersion 2 is not supported by this runner \(supports 1\)/],
    ['{}', /specVersion missing is not supported/],
    ['{"specVersion": 1', /not valid JSON/],
    ['{"specVersion": 1, "repository": "acme/widget"}', /url/],
  ])('refuses %s', (text, message) => {
    const parsed = parseJobSpec(text, 'spec.json');
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.errors.join('\n')).toMatch(message);
  });

  it('refuses a working directory that climbs out of the checkout', () => {
    const built = buildJobSpec(input());
    if (!built.ok) throw new Error(built.error);
    const spec = { ...built.spec, build: { ...built.spec.build, workdir: '../elsewhere' } };
    const parsed = parseJobSpec(JSON.stringify(spec), 'spec.json');
    expect(parsed.ok ? '' : parsed.errors.join('\n')).toMatch(/build\.workdir: must be a relative path/);
  });
});

describe('round order', () => {
  const firsts = (order: RoundOrder, name: string, rounds: number) =>
    Array.from({ length: rounds }, (_, r) =>
      sidesInRound(order, name, r)[0] === 'baseline' ? 'A' : 'B',
    ).join('');

  it('ABBA alternates which side goes first', () => {
    expect(firsts({ scheme: 'abba', seed: 0 }, 'tpch', 8)).toBe('ABABABAB');
  });

  it.each([1, 2, 3, 99])(
    'balanced-random (seed %i) puts each side first once in every block of two',
    (seed) => {
      const order = firsts({ scheme: 'balanced-random', seed }, 'tpch', 40);
      for (let block = 0; block < 20; block++) {
        expect(['AB', 'BA']).toContain(order.slice(2 * block, 2 * block + 2));
      }
    },
  );

  it('balanced-random repeats for the same seed and differs across seeds and benchmarks', () => {
    const a = firsts({ scheme: 'balanced-random', seed: 5 }, 'tpch', 40);
    expect(firsts({ scheme: 'balanced-random', seed: 5 }, 'tpch', 40)).toBe(a);
    expect(firsts({ scheme: 'balanced-random', seed: 6 }, 'tpch', 40)).not.toBe(a);
    expect(firsts({ scheme: 'balanced-random', seed: 5 }, 'clickbench_1', 40)).not.toBe(a);
  });

  it('plans warm-up rounds, then measured rounds, both sides in each', () => {
    const plan = planRuns({ scheme: 'abba', seed: 0 }, 'tpch', 1, 2);
    expect(plan.map((r) => `${r.phase}:${r.round}:${r.side}`)).toEqual([
      'warmup:0:baseline',
      'warmup:0:changed',
      'run:0:baseline',
      'run:0:changed',
      'run:1:changed',
      'run:1:baseline',
    ]);
  });
});
