import type { ConfigIssue } from './parse.js';
import { formatConfigPath } from './path.js';
import {
  type BenchbotConfig,
  hostPortSchema,
  kubernetesNamespaceSchema,
  quantitySchema,
  REPO_NAME_PATTERN,
} from './schema.js';

// Environment variables that override the file, for deployments that configure by environment (the
// original controller did). GITHUB_TOKEN is deliberately absent: secrets stay in the environment and
// activities read them by the names in github.tokenEnv / temporal.apiKeyEnv, so they never reach
// workflow arguments or history. An empty value counts as unset.

export interface EnvOverrideResult {
  config: BenchbotConfig;
  errors: ConfigIssue[];
}

type Env = Readonly<Record<string, string | undefined>>;

function envError(variable: string, value: string, path: string, problem: string): ConfigIssue {
  return { file: 'environment', path, line: null, column: null, message: `${variable}=${value}: ${problem}` };
}

function read(env: Env, variable: string): string | null {
  const value = env[variable]?.trim();
  return value ? value : null;
}

function applyWatchedRepos(config: BenchbotConfig, value: string): EnvOverrideResult {
  const errors: ConfigIssue[] = [];
  const watched = new Set<string>();
  const known = config.repos.map((repo) => repo.name);
  for (const entry of value.split(':').map((part) => part.trim())) {
    if (entry === '') continue;
    if (!REPO_NAME_PATTERN.test(entry)) {
      errors.push(
        envError(
          'WATCHED_REPOS',
          value,
          'repos',
          `${JSON.stringify(entry)} is not owner/name; separate repositories with ":", e.g. WATCHED_REPOS=apache/datafusion:apache/arrow-rs`,
        ),
      );
      continue;
    }
    const match = known.find((name) => name.toLowerCase() === entry.toLowerCase());
    if (match === undefined) {
      errors.push(
        envError(
          'WATCHED_REPOS',
          value,
          'repos',
          `${entry} is not in the config file's repos (it has: ${known.join(', ') || 'none'}); add an entry \`- name: ${entry}\` under repos: or remove ${entry} from WATCHED_REPOS`,
        ),
      );
      continue;
    }
    watched.add(match);
  }
  const repos = config.repos.map((repo) => ({ ...repo, watch: watched.has(repo.name) }));
  return { config: { ...config, repos }, errors };
}

function parsePositiveInteger(value: string): number | null {
  if (!/^[0-9]+$/.test(value)) return null;
  const number = Number(value);
  return number > 0 && Number.isSafeInteger(number) ? number : null;
}

/**
 * Applies WATCHED_REPOS, POLL_INTERVAL_SECS, K8S_NAMESPACE, DEFAULT_CPU, DEFAULT_MEMORY, RUNNER_IMAGE,
 * BENCHBOT_PLATFORMS, TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE from `env`; a bad value is an error
 * naming the variable.
 */
export function applyEnvOverrides(config: BenchbotConfig, env: Env): EnvOverrideResult {
  const errors: ConfigIssue[] = [];
  let result = config;

  const watchedRepos = read(env, 'WATCHED_REPOS');
  if (watchedRepos !== null) {
    const applied = applyWatchedRepos(result, watchedRepos);
    result = applied.config;
    errors.push(...applied.errors);
  }

  const pollInterval = read(env, 'POLL_INTERVAL_SECS');
  if (pollInterval !== null) {
    const seconds = parsePositiveInteger(pollInterval);
    if (seconds === null) {
      errors.push(
        envError(
          'POLL_INTERVAL_SECS',
          pollInterval,
          'poll.intervalSeconds',
          'not a positive whole number of seconds; set it to e.g. 30',
        ),
      );
    } else result = { ...result, poll: { ...result.poll, intervalSeconds: seconds } };
  }

  const kubernetes = { ...result.executor.kubernetes };
  const namespace = read(env, 'K8S_NAMESPACE');
  if (namespace !== null) {
    if (kubernetesNamespaceSchema.safeParse(namespace).success) kubernetes.namespace = namespace;
    else {
      errors.push(
        envError(
          'K8S_NAMESPACE',
          namespace,
          'executor.kubernetes.namespace',
          'not a Kubernetes namespace; use lower-case letters, digits and "-", e.g. benchmarking',
        ),
      );
    }
  }
  for (const [variable, field, example] of [
    ['DEFAULT_CPU', 'cpu', '30 or 500m'],
    ['DEFAULT_MEMORY', 'memory', '60Gi'],
  ] as const) {
    const value = read(env, variable);
    if (value === null) continue;
    const parsed = quantitySchema.safeParse(value);
    if (parsed.success) kubernetes[field] = parsed.data;
    else {
      errors.push(
        envError(
          variable,
          value,
          `executor.kubernetes.${field}`,
          `not a Kubernetes quantity; set it to e.g. ${example}`,
        ),
      );
    }
  }
  const runnerImage = read(env, 'RUNNER_IMAGE');
  if (runnerImage !== null) kubernetes.runnerImage = runnerImage;
  result = { ...result, executor: { ...result.executor, kubernetes } };

  // One config for every Deployment of a cluster; each jobs Deployment names its platforms here.
  const platforms = read(env, 'BENCHBOT_PLATFORMS');
  if (platforms !== null) {
    const names = platforms
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const known = Object.keys(result.platforms);
    const unknown = names.filter((n) => !known.includes(n));
    if (names.length === 0 || unknown.length > 0) {
      errors.push(
        envError(
          'BENCHBOT_PLATFORMS',
          platforms,
          'executor.platforms',
          `name platforms the repositories list, comma-separated (${known.join(', ')})`,
        ),
      );
    } else result = { ...result, executor: { ...result.executor, platforms: names } };
  }

  const temporal = { ...result.temporal };
  const address = read(env, 'TEMPORAL_ADDRESS');
  if (address !== null) {
    if (hostPortSchema.safeParse(address).success) temporal.address = address;
    else {
      errors.push(
        envError(
          'TEMPORAL_ADDRESS',
          address,
          'temporal.address',
          'not host:port; set it to e.g. localhost:7233, or unset it to run the embedded server',
        ),
      );
    }
  }
  const temporalNamespace = read(env, 'TEMPORAL_NAMESPACE');
  if (temporalNamespace !== null) temporal.namespace = temporalNamespace;
  result = { ...result, temporal };

  return { config: result, errors };
}

/** Requirements that the file or the environment may satisfy, so they are checked after overrides. */
export function checkEffectiveConfig(config: BenchbotConfig, file: string): ConfigIssue[] {
  if (config.executor.kind !== 'kubernetes' || config.executor.kubernetes.runnerImage !== null) return [];
  return [
    {
      file,
      path: formatConfigPath(['executor', 'kubernetes', 'runnerImage']),
      line: null,
      column: null,
      message:
        'executor.kind is kubernetes but no runner image is set; set executor.kubernetes.runnerImage in the file or RUNNER_IMAGE in the environment',
    },
  ];
}
