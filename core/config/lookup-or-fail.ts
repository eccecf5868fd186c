import { ApplicationFailure } from '@temporalio/common';
import { INVALID_REQUEST, UNKNOWN_REPOSITORY } from '../request/contract.js';
import { findRepo } from './lookup.js';
import type { BenchbotConfig, RepoConfig, ScheduleConfig } from './schema.js';

// Lookups for activities: what the worker's config lacks, retrying cannot add, so each is a
// non-retryable failure that names the fix.

/** The repository's config, or a non-retryable failure naming the fix: retrying cannot add it. */
export function repoOrFail(config: BenchbotConfig, repo: string): RepoConfig {
  const found = findRepo(config, repo);
  if (found === null) {
    throw ApplicationFailure.nonRetryable(
      `repository ${repo} is not configured. Fix: add it under repos: in benchbot.yaml.`,
      UNKNOWN_REPOSITORY,
    );
  }
  return found;
}

export function scheduleOrFail(
  config: BenchbotConfig,
  repoName: string,
  name: string,
): [RepoConfig, ScheduleConfig] {
  const repo = findRepo(config, repoName);
  const schedule = repo?.schedules.find((s) => s.name === name);
  if (!repo || !schedule) {
    throw ApplicationFailure.nonRetryable(
      `${repoName} has no schedule ${name} in the worker's config. Fix: add it under repos[].schedules, or run \`benchbot schedules sync\` to remove the stale schedule.`,
      UNKNOWN_REPOSITORY,
    );
  }
  return [repo, schedule];
}

export function schedulePlatformsOrFail(repo: RepoConfig, schedule: ScheduleConfig): string[] {
  const platforms = schedule.platforms ?? repo.platforms;
  const unknown = platforms.filter((p) => !repo.platforms.includes(p));
  if (unknown.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `schedule ${schedule.name} of ${repo.name} names platform ${unknown.join(', ')}, which the repository does not list (${repo.platforms.join(', ')}). Fix: add it to repos[].platforms or remove it from the schedule.`,
      INVALID_REQUEST,
    );
  }
  return platforms;
}
