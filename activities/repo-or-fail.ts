import { ApplicationFailure } from '@temporalio/common';
import { type BenchbotConfig, findRepo, type RepoConfig } from '../core/config/index.js';
import { UNKNOWN_REPOSITORY } from '../core/request/contract.js';

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
