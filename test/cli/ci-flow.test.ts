import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunsJsonEntry } from '../../starter/commands/runs.js';
import { freshDatabase } from '../support/fresh-database.js';

// The seed's scheduled CI flow with no Temporal in the loop, as a GitHub Actions job runs it: the
// real `benchbot` entry point records each commit's go test -bench output into the results store
// (SQLite, and a real PostgreSQL database) and compares the next commit with the latest stored run,
// the report landing in the job summary file.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-ci-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (n: number) => n.toString(16).padStart(40, '0');
// Nothing of the machine running the tests may leak in: the child sees only what each test sets.
const NO_ACTIONS = {
  GITHUB_ACTIONS: '',
  GITHUB_STEP_SUMMARY: '',
  GITHUB_REPOSITORY: '',
  GITHUB_REF_NAME: '',
  GITHUB_SHA: '',
  GITHUB_EVENT_NAME: '',
};

function benchbot(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, ['bin/benchbot.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...NO_ACTIONS, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Ten samples a benchmark (the captured output twice), and a commit in which Itoa got 50% slower.
const goOutput = readFileSync('test/fixtures/importers/go-bench/cpu-1-2.txt', 'utf8');
const first = write('first.txt', goOutput + goOutput);
const slower = write(
  'slower.txt',
  (goOutput + goOutput).replace(
    /^(BenchmarkItoa\s+\d+\s+)([\d.]+)( ns\/op)/gm,
    (_, head: string, value: string, unit: string) => `${head}${(Number(value) * 1.5).toFixed(2)}${unit}`,
  ),
);

function configFile(name: string, results: string): string {
  return write(
    name,
    [
      'version: 1',
      `dataDir: ${join(dir, name)}.data`,
      results,
      'repos:',
      '  - name: acme/scale',
      '    url: file:///nonexistent/acme/scale',
      '    platforms: [gha-ubuntu]',
      '',
    ].join('\n'),
  );
}

const stores: Array<[string, () => Promise<NodeJS.ProcessEnv>]> = [
  ['SQLite', async () => ({ BENCHBOT_CONFIG: configFile('sqlite.yaml', 'results: { store: sqlite }') })],
  [
    'PostgreSQL',
    async () => ({
      BENCHBOT_CONFIG: configFile('pg.yaml', 'results: { store: postgres }'),
      BENCHBOT_DATABASE_URL: await freshDatabase('ci_flow'),
    }),
  ],
];

describe.each(stores)('record and compare --against latest, in %s', (_, makeEnv) => {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    env = await makeEnv();
  });

  it('says which repository and branch have no stored run yet', () => {
    const none = benchbot(
      ['compare', '--against', 'latest', '--repo', 'acme/scale', '--branch', 'main', first],
      env,
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no run of acme/scale branch main on platform gha-ubuntu is recorded');
    expect(none.stderr).toContain('benchbot record RESULTS --repo acme/scale --branch main');
  });

  it('records a commit from the Actions environment, once however often the step is retried', () => {
    const actions = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/scale',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: sha(1),
      GITHUB_EVENT_NAME: 'schedule',
    };
    const recorded = benchbot(['record', first], { ...env, ...actions });
    expect(recorded.stderr).toContain('[benchbot] recorded record:acme/scale:main:');
    expect(recorded.code).toBe(0);
    const again = benchbot(['record', first], { ...env, ...actions });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('was already recorded');
    expect(again.stdout).toBe(recorded.stdout);

    const runs = JSON.parse(benchbot(['runs', '--format', 'json'], env).stdout) as RunsJsonEntry[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: recorded.stdout.trim(),
      repository: 'acme/scale',
      reason: 'trunk',
      trigger: 'schedule',
      branch: 'main',
      baseline: null,
      changed: { ref: 'main', sha: sha(1) },
      platforms: [{ platform: 'gha-ubuntu', status: 'ok' }],
    });
  });

  it('compares the next commit with it and appends the markdown report to the job summary', () => {
    const summary = write(
      `summary-${env.BENCHBOT_CONFIG?.includes('pg') ? 'pg' : 'sqlite'}.md`,
      '# Earlier step\n\n',
    );
    const compared = benchbot(
      [
        'compare',
        '--against',
        'latest',
        '--repo',
        'acme/scale',
        '--branch',
        'main',
        '--format',
        'json',
        slower,
      ],
      { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    );
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stderr).toMatch(/comparing with stored run record:acme\/scale:main:0{39}1/);
    // stdout keeps the format asked for; the summary is markdown for people, after what was there.
    expect((JSON.parse(compared.stdout) as { counts: { slower: number } }).counts.slower).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# Earlier step\n\n**0 faster, 1 slower, 23 unchanged')).toBe(true);
    expect(text).toMatch(/\| `Itoa` \| 13\.0 ns ± 4% \| 19\.6 ns ± 4% \| ❌ \+50\.0% slower \|/);

    // Once the slower commit is recorded it is the latest: comparing it with itself finds nothing.
    expect(
      benchbot(['record', slower, '--repo', 'acme/scale', '--branch', 'main', '--sha', sha(2)], env).code,
    ).toBe(0);
    const again = benchbot(
      ['compare', '--against', 'latest', '--repo', 'acme/scale', '--branch', 'main', slower],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[0]).toMatch(/^\*\*0 faster, 0 slower, 24 unchanged/);
    expect(again.stderr).toContain(`(${sha(2).slice(0, 10)},`);
    // Outside Actions nothing was appended.
    expect(readFileSync(summary, 'utf8')).toBe(text);
  });
});

describe('what record and compare refuse, and why', () => {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    env = (await stores[0]?.[1]()) as NodeJS.ProcessEnv;
    benchbot(['record', first, '--repo', 'acme/scale', '--branch', 'main', '--sha', sha(7)], env);
  });
  const against = ['compare', '--against', 'latest', '--repo', 'acme/scale', '--branch', 'main', slower];

  it('a job summary that is missing or cannot be written', () => {
    const unset = benchbot(against, { ...env, GITHUB_ACTIONS: 'true' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('GITHUB_ACTIONS is true but GITHUB_STEP_SUMMARY is not set');
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const unwritable = benchbot(against, { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: folder });
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain(
      `cannot append the report to GITHUB_STEP_SUMMARY (${folder}): EISDIR`,
    );
  });

  it('options that do not go together, and a target that is not named', () => {
    const two = benchbot([...against, first], env);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--against latest compares ONE new results file');
    const other = benchbot(['compare', '--against', 'previous', slower], env);
    expect(other.stderr).toContain('--against previous: the one stored run to compare with is "latest"');
    const stray = benchbot(['compare', '--branch', 'main', first, slower], env);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('add --against latest, or drop them');
    const noBranch = benchbot(['compare', '--against', 'latest', '--repo', 'acme/scale', slower], env);
    expect(noBranch.code).toBe(2);
    expect(noBranch.stderr).toContain('--branch is missing: pass --branch NAME (GITHUB_REF_NAME sets it');
    const unknownRepo = benchbot(
      ['record', first, '--repo', 'acme/other', '--branch', 'main', '--sha', sha(3)],
      env,
    );
    expect(unknownRepo.code).toBe(2);
    expect(unknownRepo.stderr).toContain('acme/other is not in the config, so pass the platform');
    const badSha = benchbot(
      ['record', first, '--repo', 'acme/scale', '--branch', 'main', '--sha', 'HEAD'],
      env,
    );
    expect(badSha.code).toBe(2);
    expect(badSha.stderr).toContain('--sha HEAD: expected a full commit SHA');
    const noSha = benchbot(['record', first, '--repo', 'acme/scale', '--branch', 'main'], env);
    expect(noSha.stderr).toContain('--sha is missing');
    const garbage = benchbot(
      [
        'record',
        write('garbage.txt', 'not a benchmark\n'),
        '--repo',
        'acme/scale',
        '--branch',
        'main',
        '--sha',
        sha(3),
      ],
      env,
    );
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('cannot tell which tool wrote this file');
  });
});

describe('the example GitHub Actions workflow', () => {
  it('runs on a cron and by hand, compares before it records, and its config is valid', () => {
    const workflow = parse(readFileSync('examples/github-actions/scale-test.yaml', 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: Array<{ id?: string; run?: string; if?: string }> }>;
    };
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ''));
    const compareAt = runs.findIndex((r) => r.includes('benchbot.js compare --against latest'));
    const recordAt = runs.findIndex((r) => r.includes('benchbot.js record'));
    expect(compareAt).toBeGreaterThan(-1);
    expect(recordAt).toBeGreaterThan(compareAt);
    const checked = benchbot(['config', 'check', 'examples/github-actions/benchbot.yaml'], {
      BENCHBOT_DATABASE_URL: 'postgres://unused',
    });
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain('ok: 1 repositories');
  });
});
