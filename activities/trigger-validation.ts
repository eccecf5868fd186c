import { ApplicationFailure } from '@temporalio/common';
import type { BenchbotConfig } from '../core/config/index.js';
import { triggerContext } from '../core/config/index.js';
import { parseTrigger, type TriggerResult } from '../core/trigger.js';

export interface ValidateTriggerInput {
  repo: string;
  comment: string;
}

export function createTriggerActivities(config: BenchbotConfig) {
  return {
    /** Parses a comment against the repository's allowlist; user mistakes come back as values. */
    async validateTrigger({ repo, comment }: ValidateTriggerInput): Promise<TriggerResult> {
      const context = triggerContext(config, repo);
      if (context === null) {
        throw ApplicationFailure.nonRetryable(
          `repository ${repo} is not configured. Fix: add it under repos: in benchbot.yaml.`,
          'UnknownRepository',
        );
      }
      return parseTrigger(comment, context);
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
