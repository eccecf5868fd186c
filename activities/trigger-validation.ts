import { ApplicationFailure } from '@temporalio/common';
import { type BenchbotConfig, findRepo, type RepoConfig, triggerContext } from '../core/config/index.js';
import { formatTriggerErrors, parseTrigger, type TriggerError, type TriggerResult } from '../core/trigger.js';

export interface ValidateTriggerInput {
  repo: string;
  comment: string;
}

export function createTriggerActivities(config: BenchbotConfig) {
  const repoOf = (repo: string): RepoConfig => {
    const found = findRepo(config, repo);
    if (found === null) {
      throw ApplicationFailure.nonRetryable(
        `repository ${repo} is not configured. Fix: add it under repos: in benchbot.yaml.`,
        'UnknownRepository',
      );
    }
    return found;
  };
  return {
    /** Parses a comment against the repository's allowlist; user mistakes come back as values. */
    async validateTrigger({ repo, comment }: ValidateTriggerInput): Promise<TriggerResult> {
      return parseTrigger(comment, triggerContext(repoOf(repo)));
    },

    /** The markdown reply to a trigger with mistakes: each problem, the allowed names, an example. */
    async triggerErrorReply({ repo, errors }: { repo: string; errors: TriggerError[] }): Promise<string> {
      return formatTriggerErrors(errors, triggerContext(repoOf(repo)));
    },

    async maxQueuedPerRequester({ repo }: { repo: string }): Promise<number> {
      return repoOf(repo).trigger.maxQueuedPerRequester;
    },

    /** The platform a request's job runs on: the repository's first. */
    async jobPlatform({ repo }: { repo: string }): Promise<string> {
      return repoOf(repo).platforms[0] ?? 'x86-64-linux';
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
