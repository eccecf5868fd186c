import { didYouMean } from '../suggest.js';
import { type ConfigPath, formatConfigPath } from './path.js';
import { platformName, platformOf, platformsOf } from './platforms.js';
import type { ConfigFile } from './schema.js';

// Rules that span several fields, run on a file that already has the right shape.

export interface ConfigProblem {
  path: ConfigPath;
  message: string;
}

type RepoFile = ConfigFile['repos'][number];

function listNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

function checkRepoNamesUnique(file: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const firstIndex = new Map<string, number>();
  file.repos.forEach((repo, index) => {
    // GitHub names are case-insensitive, so Apache/DataFusion is the same repository.
    const key = repo.name.toLowerCase();
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
      return;
    }
    problems.push({
      path: ['repos', index, 'name'],
      message: `duplicate repository ${JSON.stringify(repo.name)}, already listed at repos[${first}]; merge the two entries into one`,
    });
  });
  return problems;
}

function checkBenchmarks(repo: RepoFile, repoIndex: number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const firstIndex = new Map<string, number>();
  repo.benchmarks.forEach((benchmark, index) => {
    const path = ['repos', repoIndex, 'benchmarks', index];
    const first = firstIndex.get(benchmark.name);
    if (first === undefined) firstIndex.set(benchmark.name, index);
    else {
      problems.push({
        path: [...path, 'name'],
        message: `duplicate benchmark ${JSON.stringify(benchmark.name)} in ${repo.name}, already defined at ${formatConfigPath(['repos', repoIndex, 'benchmarks', first])}; rename or remove one`,
      });
    }
    const maxRounds =
      benchmark.maxRounds === undefined ? repo.benchmarkDefaults.maxRounds : benchmark.maxRounds;
    const iterations = benchmark.iterations ?? repo.benchmarkDefaults.iterations;
    if (maxRounds !== null && maxRounds < iterations) {
      const where =
        benchmark.maxRounds !== undefined
          ? [...path, 'maxRounds']
          : benchmark.iterations !== undefined
            ? [...path, 'iterations']
            : ['repos', repoIndex, 'benchmarkDefaults', 'maxRounds'];
      problems.push({
        path: where,
        message: `benchmark ${JSON.stringify(benchmark.name)} has maxRounds ${maxRounds}, fewer than its ${iterations} planned rounds (iterations); set maxRounds to at least ${iterations}, or null for no extra rounds`,
      });
    }
    if (benchmark.command === undefined && repo.benchmarkDefaults.command === null) {
      problems.push({
        path,
        message: `benchmark ${JSON.stringify(benchmark.name)} has no command; set command here or in ${formatConfigPath(['repos', repoIndex, 'benchmarkDefaults', 'command'])}`,
      });
    }
  });
  return problems;
}

function checkSchedules(repo: RepoFile, repoIndex: number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const benchmarkNames = [...new Set(repo.benchmarks.map((benchmark) => benchmark.name))];
  const scheduleNames = new Map<string, number>();
  repo.schedules.forEach((schedule, index) => {
    const path = ['repos', repoIndex, 'schedules', index];
    if (schedule.every !== null && schedule.cron !== null) {
      problems.push({ path, message: 'has both every and cron; keep exactly one of them' });
    }
    if (schedule.every === null && schedule.cron === null) {
      problems.push({
        path,
        message: 'has neither every nor cron; add e.g. `every: 6h` or `cron: "0 */6 * * *"`',
      });
    }
    schedule.benchmarks?.forEach((name, nameIndex) => {
      if (benchmarkNames.includes(name)) return;
      problems.push({
        path: [...path, 'benchmarks', nameIndex],
        message: `unknown benchmark ${JSON.stringify(name)}; ${repo.name} defines: ${listNames(benchmarkNames)}${didYouMean(name, benchmarkNames)}`,
      });
    });
    const name = schedule.name ?? schedule.branch ?? repo.defaultBranch;
    const first = scheduleNames.get(name);
    if (first === undefined) scheduleNames.set(name, index);
    else {
      problems.push({
        path,
        message: `a second schedule named ${JSON.stringify(name)} (the first is ${formatConfigPath(['repos', repoIndex, 'schedules', first])}); give each schedule a distinct name:`,
      });
    }
  });
  return problems;
}

function checkPlatformsUnique(repo: RepoFile, repoIndex: number): ConfigProblem[] {
  const names = repo.platforms.map(platformName);
  return names.flatMap((name, index) =>
    names.indexOf(name) === index
      ? []
      : [
          {
            path: ['repos', repoIndex, 'platforms', index],
            message: `platform ${JSON.stringify(name)} is listed twice; remove one`,
          },
        ],
  );
}

/** One platform, one placement: its jobs share a task queue and slots whichever repository asks. */
function checkPlatformPlacements(file: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const placed = new Map<string, { text: string; path: ConfigProblem['path'] }>();
  file.repos.forEach((repo, repoIndex) => {
    repo.platforms.forEach((entry, index) => {
      if (typeof entry === 'string') return;
      const path = ['repos', repoIndex, 'platforms', index];
      const text = JSON.stringify(platformOf(entry));
      const first = placed.get(entry.name);
      if (first === undefined) placed.set(entry.name, { text, path });
      else if (first.text !== text) {
        problems.push({
          path,
          message: `platform ${JSON.stringify(entry.name)} is placed differently at ${formatConfigPath(first.path)}; give its nodeSelector, tolerations, runnerImage and slots once and name it alone elsewhere`,
        });
      }
    });
  });
  const known = Object.keys(platformsOf(file.repos));
  (file.executor.platforms ?? []).forEach((name, index) => {
    if (known.includes(name)) return;
    problems.push({
      path: ['executor', 'platforms', index],
      message: `executor.platforms names ${JSON.stringify(name)}, which no repository lists (${listNames(known)})${didYouMean(name, known)}`,
    });
  });
  return problems;
}

function checkTemporal(file: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { temporal } = file;
  if (temporal.address === null && temporal.port !== 0 && temporal.port === temporal.uiPort) {
    problems.push({
      path: ['temporal', 'uiPort'],
      message: `the embedded server cannot serve gRPC and the Web UI on the same port ${temporal.port}; pick another uiPort`,
    });
  }
  const tls = temporal.tls;
  if (tls !== null && (tls.clientCertPath === undefined) !== (tls.clientKeyPath === undefined)) {
    problems.push({
      path: ['temporal', 'tls'],
      message: 'clientCertPath and clientKeyPath go together for mTLS; set both or neither',
    });
  }
  return problems;
}

/** Every cross-field problem in the file; empty when it is consistent. */
// The variables the config names as holding secrets: never passed into a job.
function checkPassEnv(file: ConfigFile): ConfigProblem[] {
  const { github, temporal, results } = file;
  const secrets = new Map<string, string>([
    [github.tokenEnv, 'github.tokenEnv'],
    [github.webhookSecretEnv, 'github.webhookSecretEnv'],
    [temporal.apiKeyEnv, 'temporal.apiKeyEnv'],
    ...(github.app ? [[github.app.privateKeyEnv, 'github.app.privateKeyEnv'] as [string, string]] : []),
    // The PostgreSQL URL carries the password of the whole history; a SQLite store reads no variable.
    ...(results.store === 'postgres' ? [[results.urlEnv, 'results.urlEnv'] as [string, string]] : []),
  ]);
  return file.executor.local.passEnv.flatMap((name, index) => {
    const setting = secrets.get(name);
    return setting === undefined
      ? []
      : [
          {
            path: ['executor', 'local', 'passEnv', index],
            message: `${name} holds a secret (it is ${setting}), and jobs run code from pull requests: remove it from passEnv`,
          },
        ];
  });
}

export function checkConfig(file: ConfigFile): ConfigProblem[] {
  return [
    ...checkTemporal(file),
    ...checkPassEnv(file),
    ...checkRepoNamesUnique(file),
    ...checkPlatformPlacements(file),
    ...file.repos.flatMap((repo, index) => [
      ...checkBenchmarks(repo, index),
      ...checkSchedules(repo, index),
      ...checkPlatformsUnique(repo, index),
    ]),
  ];
}
