import { type BenchbotConfig, triggerContext } from '../core/config/index.js';
import { repoOrFail } from '../core/config/lookup-or-fail.js';
import { formatTriggerErrors, parseTrigger, type TriggerError, type TriggerResult } from '../core/trigger.js';

export interface ValidateTriggerInput {
  repo: string;
  comment: string;
}

export function createTriggerActivities(config: BenchbotConfig) {
  return {
    /** Parses a comment against the repository's allowlist; user mistakes come back as values. */
    async validateTrigger({ repo, comment }: ValidateTriggerInput): Promise<TriggerResult> {
      return parseTrigger(comment, triggerContext(repoOrFail(config, repo)));
    },

    /** The markdown reply to a trigger with mistakes: each problem, the allowed names, an example. */
    async triggerErrorReply({ repo, errors }: { repo: string; errors: TriggerError[] }): Promise<string> {
      return formatTriggerErrors(errors, triggerContext(repoOrFail(config, repo)));
    },

    async maxQueuedPerRequester({ repo }: { repo: string }): Promise<number> {
      return repoOrFail(config, repo).trigger.maxQueuedPerRequester;
    },

    /** The platform a request's job runs on: the repository's first. */
    async jobPlatform({ repo }: { repo: string }): Promise<string> {
      return repoOrFail(config, repo).platforms[0] ?? 'x86-64-linux';
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
