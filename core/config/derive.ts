import { WALL_CLOCK_FORMAT } from '../results/output-formats.js';
import { platformName, platformsOf } from './platforms.js';
import type { ConfigFile } from './schema.js';

// The defaults that depend on other fields, filled in after validation.

type RepoFile = ConfigFile['repos'][number];

/** Placeholder in a benchmark's `command`, `output.path` and `profile` replaced by the benchmark's name. */
export const NAME_PLACEHOLDER = '{{name}}';

function joinPath(dir: string, child: string): string {
  return `${dir.replace(/\/+$/, '')}/${child}`;
}

function withName(template: string, name: string): string {
  return template.split(NAME_PLACEHOLDER).join(name);
}

// Fills the defaults that depend on other fields; `checkConfig` has already ensured every benchmark
// ends up with a command.
// benchmarkDefaults is folded into each benchmark and dropped, so readers see one place per field.
function deriveRepo({ benchmarkDefaults: defaults, ...repo }: RepoFile, webUrl: string) {
  return {
    ...repo,
    platforms: repo.platforms.map(platformName),
    url: repo.url ?? `${webUrl}/${repo.name}.git`,
    benchmarks: repo.benchmarks.map((benchmark) => {
      const format = benchmark.output?.format ?? defaults.output.format;
      return {
        name: benchmark.name,
        description: benchmark.description,
        command: withName(benchmark.command ?? defaults.command ?? '', benchmark.name),
        workdir: benchmark.workdir ?? defaults.workdir,
        output:
          format === WALL_CLOCK_FORMAT
            ? { path: null, format }
            : { path: withName(benchmark.output?.path ?? defaults.output.path, benchmark.name), format },
        iterations: benchmark.iterations ?? defaults.iterations,
        maxRounds: benchmark.maxRounds === undefined ? defaults.maxRounds : benchmark.maxRounds,
        extraRoundsMinutes: benchmark.extraRoundsMinutes ?? defaults.extraRoundsMinutes,
        warmups: benchmark.warmups ?? defaults.warmups,
        timeoutMinutes: benchmark.timeoutMinutes ?? defaults.timeoutMinutes,
        runByDefault: benchmark.runByDefault ?? defaults.runByDefault,
        env: { ...defaults.env, ...benchmark.env },
        profile:
          benchmark.profile === undefined
            ? null
            : {
                command: withName(benchmark.profile.command, benchmark.name),
                path: withName(benchmark.profile.path, benchmark.name),
                format: benchmark.profile.format,
              },
      };
    }),
    schedules: repo.schedules.map((schedule) => {
      const branch = schedule.branch ?? repo.defaultBranch;
      return { ...schedule, branch, name: schedule.name ?? branch };
    }),
  };
}

export function deriveConfig(file: ConfigFile) {
  return {
    ...file,
    // Each platform's placement, image and slots by name; repos[].platforms hold only names.
    platforms: platformsOf(file.repos),
    executor: {
      ...file.executor,
      local: {
        ...file.executor.local,
        workDir: file.executor.local.workDir ?? joinPath(file.dataDir, 'work'),
      },
    },
    results: { ...file.results, path: file.results.path ?? joinPath(file.dataDir, 'results.sqlite') },
    repos: file.repos.map((repo) => deriveRepo(repo, file.github.webUrl)),
  };
}
