import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../adapters/config-file.js';
import {
  applyEnvOverrides,
  type BenchbotConfig,
  type ConfigIssue,
  findRepo,
  formatConfigIssues,
  parseConfig,
  parseDurationSeconds,
  temporalUiUrl,
  triggerContext,
} from '../../core/config/index.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const triggerContextOf = (config: BenchbotConfig, repo: string) => {
  const found = findRepo(config, repo);
  return found === null ? null : triggerContext(found);
};

const exampleText = readFileSync(join(projectRoot, 'benchbot.example.yaml'), 'utf8');

const MINIMAL = `version: 1
repos:
  - name: acme/widget
    benchmarks:
      - { name: startup, command: "./bench.sh" }
`;

function parseOk(text: string): BenchbotConfig {
  const result = parseConfig(text, 'benchbot.yaml');
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

function parseIssues(text: string): ConfigIssue[] {
  const result = parseConfig(text, 'benchbot.yaml');
  if (result.ok) throw new Error('expected the config to be refused');
  return result.issues;
}

describe('the shipped example', () => {
  const config = parseOk(exampleText);

  it('lists the seed benchmarks of both repositories', () => {
    const datafusion = triggerContextOf(config, 'apache/datafusion')?.allowedBenchmarks;
    expect(datafusion).toHaveLength(13 + 15);
    expect(datafusion).toEqual(
      expect.arrayContaining(['tpch', 'sort_pushdown_sorted', 'sql_planner', 'plan_reuse']),
    );
    expect(triggerContextOf(config, 'apache/arrow-rs')?.allowedBenchmarks).toHaveLength(31);
    expect(triggerContextOf(config, 'apache/arrow-rs')?.allowedBenchmarks).toContain('json-reader');
  });

  it('runs only the named dfbench benchmarks by default and expands {{name}}', () => {
    expect(triggerContextOf(config, 'apache/datafusion')?.defaultBenchmarks).toHaveLength(13);
    const tpch = findRepo(config, 'apache/datafusion')?.benchmarks.find((b) => b.name === 'tpch');
    expect(tpch).toMatchObject({
      description: 'TPC-H SF=1',
      command: './benchmarks/bench.sh data tpch && ./benchmarks/bench.sh run tpch',
      output: { path: 'benchmarks/results', format: 'dfbench-json' },
      env: { DATA_DIR: '/var/tmp/benchbot-datafusion-data' },
    });
    const castKernels = findRepo(config, 'apache/arrow-rs')?.benchmarks.find(
      (b) => b.name === 'cast_kernels',
    );
    expect(castKernels).toMatchObject({
      command: 'cargo bench --bench cast_kernels -- --warm-up-time 1 --measurement-time 2 --noplot',
      output: { format: 'criterion' },
    });
  });
});

describe('a minimal file', () => {
  const config = parseOk(MINIMAL);

  it('gets every default', () => {
    expect(config.dataDir).toBe('data');
    expect(config.temporal).toEqual({
      address: null,
      namespace: 'default',
      taskQueue: 'benchbot',
      port: 7233,
      uiPort: 8233,
      uiUrl: null,
      tls: null,
      apiKeyEnv: 'TEMPORAL_API_KEY',
    });
    expect(config.github.tokenEnv).toBe('GITHUB_TOKEN');
    expect(config.github.writeIntervalMs).toBe(1000);
    expect(config.poll.intervalSeconds).toBe(30);
    expect(config.executor.kind).toBe('local');
    expect(config.executor.local).toEqual({
      workDir: 'data/work',
      sandbox: 'bubblewrap',
      network: true,
      readOnlyPaths: [],
      passEnv: [],
      limits: { processes: 4096, memoryMiB: null, wallMinutes: 360 },
    });
    expect(config.executor.kubernetes).toMatchObject({
      namespace: 'benchmarking',
      cpu: '30',
      memory: '60Gi',
    });
    expect(config.results).toEqual({
      store: 'sqlite',
      path: 'data/results.sqlite',
      urlEnv: 'BENCHBOT_DATABASE_URL',
    });
    expect(temporalUiUrl(config)).toBe('http://localhost:8233');
  });

  it('defaults the repository and its benchmark', () => {
    const repo = findRepo(config, 'ACME/Widget');
    expect(repo).toMatchObject({
      watch: true,
      url: 'https://github.com/acme/widget.git',
      defaultBranch: 'main',
      trigger: {
        associations: ['OWNER', 'MEMBER', 'COLLABORATOR'],
        minPermission: null,
        maxQueuedPerRequester: 3,
      },
      build: { command: null, workdir: '.', timeoutMinutes: 60, env: {} },
      platforms: ['x86-64-linux'],
      schedules: [],
    });
    expect(repo?.benchmarks[0]).toEqual({
      name: 'startup',
      description: '',
      command: './bench.sh',
      workdir: '.',
      output: { path: 'benchbot-results.json', format: 'benchbot' },
      iterations: 10,
      maxRounds: null,
      extraRoundsMinutes: 30,
      warmups: 1,
      timeoutMinutes: 30,
      runByDefault: true,
      profile: null,
      env: {},
    });
    expect(findRepo(config, 'acme/other')).toBeNull();
  });

  it('defaults a schedule to the default branch', () => {
    const withSchedule = parseOk(`${MINIMAL}    schedules: [{ every: 6h }]\n`);
    expect(findRepo(withSchedule, 'acme/widget')?.schedules[0]).toEqual({
      name: 'main',
      branch: 'main',
      every: '6h',
      cron: null,
      benchmarks: null,
      catchupWindow: '1d',
      overlap: 'skip',
      paused: false,
      strategy: 'latest',
      window: null,
      platforms: null,
      commitComment: false,
      missingRunsAfter: 3,
    });
  });
});

// Each case: a file, then the path, line and what the message must say for the issue at that path.
const REPO_HEAD = `version: 1
repos:
  - name: acme/widget
`;
const errorCases: { name: string; text: string; path: string; line: number; message: RegExp }[] = [
  {
    name: 'YAML syntax error',
    text: 'version: 1\nrepos:\n  - name: [acme/widget\n',
    path: '',
    line: 4,
    message: /YAML syntax error/,
  },
  {
    name: 'duplicate key',
    text: 'version: 1\ndataDir: a\ndataDir: b\n',
    path: '',
    line: 3,
    message: /keys must be unique/,
  },
  {
    name: 'unknown top-level key with a near miss',
    text: 'version: 1\ntemporl: {}\n',
    path: 'temporl',
    line: 2,
    message: /unknown key "temporl"; did you mean "temporal"\?/,
  },
  {
    name: 'unknown nested key with a near miss',
    text: `${REPO_HEAD}    benchmarks:\n      - name: tpch\n        comand: x\n`,
    path: 'repos[0].benchmarks[0].comand',
    line: 6,
    message: /unknown key "comand"; did you mean "command"\?/,
  },
  {
    name: 'unknown key far from any known one',
    text: 'version: 1\npoll:\n  zzz: 1\n',
    path: 'poll.zzz',
    line: 3,
    message: /unknown key "zzz"; allowed here: intervalSeconds/,
  },
  {
    name: 'a token in the file',
    text: 'version: 1\ngithub:\n  token: ghp_0123456789abcdefghij0123456789\n',
    path: 'github.token',
    line: 3,
    message: /secrets never go in the config file.*GITHUB_TOKEN/,
  },
  {
    name: 'a token value under a known key',
    text: `${REPO_HEAD}    build:\n      env: { GH: github_pat_0123456789abcdefghij0123 }\n`,
    path: 'repos[0].build.env.GH',
    line: 5,
    message: /looks like a GitHub token/,
  },
  {
    name: 'negative write interval',
    text: 'version: 1\ngithub:\n  writeIntervalMs: -5\n',
    path: 'github.writeIntervalMs',
    line: 3,
    message: /-5 is too small; must be at least 0/,
  },
  {
    name: 'wrong type',
    text: 'version: 1\npoll:\n  intervalSeconds: "30"\n',
    path: 'poll.intervalSeconds',
    line: 3,
    message: /expected a number, got the string "30"; remove the quotes/,
  },
  {
    name: 'not a whole number',
    text: 'version: 1\nexecutor: { slots: 1.5 }\n',
    path: 'executor.slots',
    line: 2,
    message: /expected a whole number, got number 1.5/,
  },
  {
    name: 'out of range',
    text: 'version: 1\nexecutor:\n  slots: 0\n',
    path: 'executor.slots',
    line: 3,
    message: /must be greater than 0/,
  },
  {
    name: 'missing required key',
    text: 'version: 1\nrepos:\n  - watch: true\n',
    path: 'repos[0].name',
    line: 3,
    message: /missing; this key is required/,
  },
  {
    name: 'unsupported version',
    text: 'version: 2\nrepos: []\n',
    path: 'version',
    line: 1,
    message: /unsupported config version 2; this benchbot reads version 1/,
  },
  {
    name: 'missing version',
    text: 'repos: []\n',
    path: '',
    line: 1,
    message: /missing version; add `version: 1`/,
  },
  {
    name: 'empty file',
    text: '',
    path: '',
    line: 1,
    message: /the file is empty/,
  },
  {
    name: 'duplicate repository',
    text: `${REPO_HEAD}  - name: acme/other\n  - name: ACME/widget\n`,
    path: 'repos[2].name',
    line: 5,
    message: /duplicate repository "ACME\/widget", already listed at repos\[0\]/,
  },
  {
    name: 'duplicate benchmark',
    text: `${REPO_HEAD}    benchmarks:\n      - { name: tpch, command: a }\n      - { name: q1, command: b }\n      - { name: tpch, command: c }\n`,
    path: 'repos[0].benchmarks[2].name',
    line: 7,
    message: /duplicate benchmark "tpch" in acme\/widget, already defined at repos\[0\]\.benchmarks\[0\]/,
  },
  {
    name: 'bad benchmark name',
    text: `${REPO_HEAD}    benchmarks:\n      - { name: tpch, command: a }\n      - { name: "-tpch", command: a }\n`,
    path: 'repos[0].benchmarks[1].name',
    line: 6,
    message: /"-tpch" is not a valid name: start with a letter or digit/,
  },
  {
    name: 'benchmark without a command',
    text: `${REPO_HEAD}    benchmarks:\n      - name: tpch\n`,
    path: 'repos[0].benchmarks[0]',
    line: 5,
    message: /has no command; set command here or in repos\[0\]\.benchmarkDefaults\.command/,
  },
  {
    name: 'bad repository name',
    text: 'version: 1\nrepos:\n  - name: datafusion\n',
    path: 'repos[0].name',
    line: 3,
    message: /"datafusion" is not a repository name: write it as owner\/name/,
  },
  {
    name: 'schedule with both every and cron',
    text: `${REPO_HEAD}    schedules:\n      - every: 6h\n        cron: "0 * * * *"\n`,
    path: 'repos[0].schedules[0]',
    line: 5,
    message: /has both every and cron; keep exactly one/,
  },
  {
    name: 'schedule with neither every nor cron',
    text: `${REPO_HEAD}    schedules:\n      - branch: main\n`,
    path: 'repos[0].schedules[0]',
    line: 5,
    message: /has neither every nor cron; add e\.g\. `every: 6h`/,
  },
  {
    name: 'schedule with a bad duration',
    text: `${REPO_HEAD}    schedules:\n      - every: 6 hours\n`,
    path: 'repos[0].schedules[0].every',
    line: 5,
    message: /"6 hours" is not a duration: write a number and a unit, e\.g\. 15m/,
  },
  {
    name: 'schedule with a bad cron',
    text: `${REPO_HEAD}    schedules:\n      - cron: "every day"\n`,
    path: 'repos[0].schedules[0].cron',
    line: 5,
    message: /is not a cron expression/,
  },
  {
    name: 'schedule naming an unknown benchmark',
    text: `${REPO_HEAD}    benchmarks: [{ name: tpch, command: a }]\n    schedules:\n      - { every: 1d, benchmarks: [tcph] }\n`,
    path: 'repos[0].schedules[0].benchmarks[0]',
    line: 6,
    message: /unknown benchmark "tcph"; acme\/widget defines: tpch; did you mean "tpch"\?/,
  },
  {
    name: 'bad enum value',
    text: 'version: 1\nexecutor:\n  kind: kubernets\n',
    path: 'executor.kind',
    line: 3,
    message: /"kubernets" is not allowed; use one of: local, kubernetes; did you mean "kubernetes"\?/,
  },
  {
    name: 'bad output format',
    text: `${REPO_HEAD}    benchmarks:\n      - name: x\n        command: a\n        output: { format: critrion }\n`,
    path: 'repos[0].benchmarks[0].output.format',
    line: 7,
    message: /did you mean "criterion"\?/,
  },
  {
    name: 'bad environment variable name',
    text: `${REPO_HEAD}    build:\n      env:\n        BAD-NAME: x\n`,
    path: 'repos[0].build.env["BAD-NAME"]',
    line: 6,
    message: /"BAD-NAME" is not an environment variable name/,
  },
  {
    name: 'same port for gRPC and the UI',
    text: 'version: 1\ntemporal:\n  port: 9000\n  uiPort: 9000\n',
    path: 'temporal.uiPort',
    line: 4,
    message: /same port 9000; pick another uiPort/,
  },
];

describe('the local sandbox settings', () => {
  const withLocal = (local: string) => `${MINIMAL}executor: { local: ${local} }\n`;

  it('takes sandbox: none, toolchain paths and extra variables', () => {
    expect(
      parseOk(
        withLocal('{ sandbox: none, network: false, readOnlyPaths: [/opt/rust], passEnv: [RUSTUP_HOME] }'),
      ).executor.local,
    ).toMatchObject({
      sandbox: 'none',
      network: false,
      readOnlyPaths: ['/opt/rust'],
      passEnv: ['RUSTUP_HOME'],
    });
  });

  it('refuses an unknown sandbox, a relative path and a secret in passEnv, saying why', () => {
    const messages = (local: string) => parseIssues(withLocal(local)).map((i) => `${i.path}: ${i.message}`);
    expect(messages('{ sandbox: docker }').join('\n')).toMatch(/executor\.local\.sandbox.*bubblewrap.*none/s);
    expect(messages('{ readOnlyPaths: [opt/rust] }').join('\n')).toContain('is not an absolute path');
    expect(messages('{ passEnv: [PATH, GITHUB_TOKEN] }')).toEqual([
      'executor.local.passEnv[1]: GITHUB_TOKEN holds a secret (it is github.tokenEnv), and jobs run code from pull requests: remove it from passEnv',
    ]);
    // The PostgreSQL store's URL carries its password.
    const postgres = (passEnv: string) =>
      parseIssues(
        `${withLocal(`{ passEnv: [${passEnv}] }`)}results: { store: postgres, urlEnv: RESULTS_DB }\n`,
      ).map((i) => `${i.path}: ${i.message}`);
    expect(postgres('RESULTS_DB')).toEqual([
      'executor.local.passEnv[0]: RESULTS_DB holds a secret (it is results.urlEnv), and jobs run code from pull requests: remove it from passEnv',
    ]);
    // A SQLite store reads no variable: a job may have one of that name.
    expect(parseOk(withLocal('{ passEnv: [BENCHBOT_DATABASE_URL] }')).executor.local.passEnv).toEqual([
      'BENCHBOT_DATABASE_URL',
    ]);
  });
});

describe('a bad file', () => {
  it.each(errorCases)('$name: names the path, the line and the problem', ({ text, path, line, message }) => {
    const issue = parseIssues(text).find((candidate) => candidate.path === path);
    expect(issue).toMatchObject({ file: 'benchbot.yaml', path, line });
    expect(issue?.column).toEqual(expect.any(Number));
    expect(issue?.message).toMatch(message);
  });

  it('a PostgreSQL store takes the name of the variable with its URL, and refuses a SQLite path', () => {
    expect(parseOk(`${MINIMAL}results: { store: postgres, urlEnv: RESULTS_DB }\n`).results).toMatchObject({
      store: 'postgres',
      urlEnv: 'RESULTS_DB',
    });
    const [issue] = parseIssues(`${MINIMAL}results:\n  store: postgres\n  path: /var/results.sqlite\n`);
    expect(issue).toMatchObject({ path: 'results.path', line: 8 });
    expect(issue?.message).toContain('results.urlEnv');
    expect(parseIssues(`${MINIMAL}results: { store: mysql }\n`)[0]?.path).toBe('results.store');
  });

  it('reports each problem of the file at once', () => {
    const issues = parseIssues('version: 1\ntemporl: {}\nexecutor: { kind: k8s, slots: -1 }\n');
    expect(issues.map((issue) => issue.path)).toEqual(['temporl', 'executor.kind', 'executor.slots']);
  });

  it('formats issues one per line as file:line:column path: message', () => {
    const issues = parseIssues(`${REPO_HEAD}    benchmarks:\n      - { name: "bad name", command: a }\n`);
    expect(formatConfigIssues(issues)).toBe(
      'benchbot.yaml:5:17 repos[0].benchmarks[0].name: "bad name" is not a valid name: start with a letter or digit and use only letters, digits, "_", "." and "-"',
    );
    expect(
      formatConfigIssues([{ file: 'environment', path: 'poll', line: null, column: null, message: 'm' }]),
    ).toBe('environment poll: m');
  });
});

describe('applyEnvOverrides', () => {
  const base = parseOk(`version: 1
repos:
  - name: apache/datafusion
  - name: apache/arrow-rs
    watch: false
  - name: acme/widget
`);

  const cases: { env: Record<string, string>; pick: (c: BenchbotConfig) => unknown; expected: unknown }[] = [
    { env: { POLL_INTERVAL_SECS: '2' }, pick: (c) => c.poll.intervalSeconds, expected: 2 },
    { env: { K8S_NAMESPACE: 'bench' }, pick: (c) => c.executor.kubernetes.namespace, expected: 'bench' },
    { env: { DEFAULT_CPU: '500m' }, pick: (c) => c.executor.kubernetes.cpu, expected: '500m' },
    { env: { DEFAULT_MEMORY: '8Gi' }, pick: (c) => c.executor.kubernetes.memory, expected: '8Gi' },
    {
      env: { RUNNER_IMAGE: 'runner:1' },
      pick: (c) => c.executor.kubernetes.runnerImage,
      expected: 'runner:1',
    },
    {
      env: { TEMPORAL_ADDRESS: 'temporal:7233' },
      pick: (c) => c.temporal.address,
      expected: 'temporal:7233',
    },
    { env: { TEMPORAL_NAMESPACE: 'bench' }, pick: (c) => c.temporal.namespace, expected: 'bench' },
    {
      env: { WATCHED_REPOS: 'apache/arrow-rs:Acme/Widget' },
      pick: (c) => c.repos.map((r) => [r.name, r.watch]),
      expected: [
        ['apache/datafusion', false],
        ['apache/arrow-rs', true],
        ['acme/widget', true],
      ],
    },
    { env: { POLL_INTERVAL_SECS: '', GITHUB_TOKEN: 'ghp_x' }, pick: (c) => c, expected: base },
  ];
  it.each(cases)('applies $env', ({ env, pick, expected }) => {
    const { config, errors } = applyEnvOverrides(base, env);
    expect(errors).toEqual([]);
    expect(pick(config)).toEqual(expected);
  });

  const badCases: { env: Record<string, string>; path: string; message: RegExp }[] = [
    {
      env: { POLL_INTERVAL_SECS: 'abc' },
      path: 'poll.intervalSeconds',
      message: /^POLL_INTERVAL_SECS=abc: not a positive whole number of seconds; set it to e\.g\. 30$/,
    },
    {
      env: { POLL_INTERVAL_SECS: '0' },
      path: 'poll.intervalSeconds',
      message: /^POLL_INTERVAL_SECS=0: not a positive/,
    },
    {
      env: { K8S_NAMESPACE: 'Bench_Ns' },
      path: 'executor.kubernetes.namespace',
      message: /^K8S_NAMESPACE=Bench_Ns: not a Kubernetes namespace/,
    },
    {
      env: { DEFAULT_CPU: 'lots' },
      path: 'executor.kubernetes.cpu',
      message: /^DEFAULT_CPU=lots: not a Kubernetes quantity/,
    },
    {
      env: { DEFAULT_MEMORY: '60 GB' },
      path: 'executor.kubernetes.memory',
      message: /^DEFAULT_MEMORY=60 GB: not a Kubernetes quantity; set it to e\.g\. 60Gi/,
    },
    {
      env: { TEMPORAL_ADDRESS: 'temporal' },
      path: 'temporal.address',
      message: /^TEMPORAL_ADDRESS=temporal: not host:port/,
    },
    {
      env: { WATCHED_REPOS: 'apache/datafusion:apache/parquet' },
      path: 'repos',
      message:
        /^WATCHED_REPOS=apache\/datafusion:apache\/parquet: apache\/parquet is not in the config file's repos .*add an entry `- name: apache\/parquet` under repos: or remove apache\/parquet from WATCHED_REPOS/,
    },
    {
      env: { WATCHED_REPOS: 'apache/datafusion,apache/arrow-rs' },
      path: 'repos',
      message: /is not owner\/name; separate repositories with ":"/,
    },
  ];
  it.each(badCases)('refuses $env naming the variable', ({ env, path, message }) => {
    const { config, errors } = applyEnvOverrides(base, env);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'environment', path, line: null });
    expect(errors[0]?.message).toMatch(message);
    expect(config.poll.intervalSeconds).toBe(30);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['15m', 900],
    ['6h', 21600],
    ['1d', 86400],
    ['1h30m', 5400],
    ['0m', null],
    ['6 hours', null],
    ['', null],
  ])('%s -> %s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
});

describe('temporalUiUrl', () => {
  it.each([
    ['temporal: { uiPort: 9999 }', 'http://localhost:9999'],
    ['temporal: { uiPort: 0 }', null],
    ['temporal: { address: "t:7233" }', null],
    ['temporal: { address: "t:7233", uiUrl: "https://ui.example.com/" }', 'https://ui.example.com'],
  ])('%s -> %s', (yaml, url) => {
    expect(temporalUiUrl(parseOk(`version: 1\n${yaml}\n`))).toBe(url);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'benchbot-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back to the shipped example and says so', async () => {
    const loaded = await loadConfigFile({ env: {}, cwd: dir, projectRoot });
    expect(loaded).toMatchObject({
      ok: true,
      fellBackToExample: true,
      file: join(projectRoot, 'benchbot.example.yaml'),
    });
    if (loaded.ok) expect(loaded.config.dataDir).toBe(join(projectRoot, 'data'));
  });

  it('reads ./benchbot.yaml, applies the environment and resolves paths against the project root', async () => {
    writeFileSync(join(dir, 'benchbot.yaml'), `${MINIMAL}results: { path: /var/results.sqlite }\n`);
    const loaded = await loadConfigFile({
      env: { POLL_INTERVAL_SECS: '5' },
      cwd: dir,
      projectRoot: '/srv/benchbot',
    });
    expect(loaded).toMatchObject({ ok: true, fellBackToExample: false, file: join(dir, 'benchbot.yaml') });
    if (!loaded.ok) return;
    expect(loaded.config.poll.intervalSeconds).toBe(5);
    expect(loaded.config.dataDir).toBe('/srv/benchbot/data');
    expect(loaded.config.executor.local.workDir).toBe('/srv/benchbot/data/work');
    expect(loaded.config.results.path).toBe('/var/results.sqlite');
  });

  it('names a missing BENCHBOT_CONFIG file and the fix', async () => {
    const loaded = await loadConfigFile({ env: { BENCHBOT_CONFIG: 'nope.yaml' }, cwd: dir, projectRoot });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.issues[0]?.file).toBe('nope.yaml');
    expect(loaded.issues[0]?.message).toMatch(
      /config file not found .*point BENCHBOT_CONFIG at an existing file/,
    );
  });

  it('reports file issues, environment errors and a kubernetes executor without an image', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nexecutor: { kind: kubernetes }\n');
    const loaded = await loadConfigFile({
      path: 'bad.yaml',
      env: { DEFAULT_CPU: 'x' },
      cwd: dir,
      projectRoot,
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(formatConfigIssues(loaded.issues)).toMatch(
      /^environment executor\.kubernetes\.cpu: DEFAULT_CPU=x: .*\nbad\.yaml executor\.kubernetes\.runnerImage: .*RUNNER_IMAGE/,
    );
  });
});
