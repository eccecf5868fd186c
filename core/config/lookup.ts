import type { TriggerContext } from '../trigger/types.js';
import type { BenchbotConfig, RepoConfig } from './schema.js';

/** The repository's config, matching GitHub's case-insensitive names; null if it is not configured. */
export function findRepo(config: BenchbotConfig, repo: string): RepoConfig | null {
  const wanted = repo.toLowerCase();
  return config.repos.find((candidate) => candidate.name.toLowerCase() === wanted) ?? null;
}

/**
 * What the trigger parser needs to know of a repository: its allowlist (the names a trigger may
 * use) and what `run benchmarks` runs.
 */
export function triggerContext(repo: RepoConfig): TriggerContext {
  return {
    allowedBenchmarks: repo.benchmarks.map((benchmark) => benchmark.name),
    defaultBenchmarks: repo.benchmarks.filter((b) => b.runByDefault).map((benchmark) => benchmark.name),
  };
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
