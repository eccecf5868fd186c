import type { BenchbotConfig, RepoConfig } from './schema.js';

/** The repository's config, matching GitHub's case-insensitive names; null if it is not configured. */
export function findRepo(config: BenchbotConfig, repo: string): RepoConfig | null {
  const wanted = repo.toLowerCase();
  return config.repos.find((candidate) => candidate.name.toLowerCase() === wanted) ?? null;
}

/** The benchmarks a trigger may name in this repository (its allowlist); null if the repo is unknown. */
export function benchmarkNames(config: BenchbotConfig, repo: string): string[] | null {
  return findRepo(config, repo)?.benchmarks.map((benchmark) => benchmark.name) ?? null;
}

/** The benchmarks `run benchmarks` (no names) runs; null if the repo is unknown. */
export function defaultBenchmarkNames(config: BenchbotConfig, repo: string): string[] | null {
  return (
    findRepo(config, repo)
      ?.benchmarks.filter((benchmark) => benchmark.runByDefault)
      .map((benchmark) => benchmark.name) ?? null
  );
}

export function watchedRepos(config: BenchbotConfig): RepoConfig[] {
  return config.repos.filter((repo) => repo.watch);
}

/**
 * Base URL of the Temporal Web UI for links, or null when it is not known before start-up: a remote
 * server without uiUrl, or an embedded one whose uiPort 0 is picked at start.
 */
export function temporalUiUrl(config: BenchbotConfig): string | null {
  const { temporal } = config;
  if (temporal.uiUrl !== null) return temporal.uiUrl;
  return temporal.address === null && temporal.uiPort !== 0 ? `http://localhost:${temporal.uiPort}` : null;
}
