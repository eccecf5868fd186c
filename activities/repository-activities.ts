import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { type BenchbotConfig, findRepo } from '../core/config/index.js';
import type { SideView } from '../core/request/status-comment.js';
import { resolveRefs } from './git/resolve-refs.js';

export interface ResolvedSides {
  baseline: SideView & { sha: string };
  changed: SideView & { sha: string };
}

export function createRepositoryActivities(config: BenchbotConfig) {
  return {
    /** Both sides of a request made without a pull request, resolved in the repository itself. */
    async resolveRepositorySides(input: {
      repo: string;
      baseline: string;
      changed: string;
    }): Promise<ResolvedSides> {
      const repo = findRepo(config, input.repo);
      if (repo === null) {
        throw ApplicationFailure.nonRetryable(
          `repository ${input.repo} is not configured. Fix: add it under repos: in benchbot.yaml.`,
          'UnknownRepository',
        );
      }
      const shas = await resolveRefs(
        repo.url,
        [input.baseline, input.changed],
        join(config.dataDir, 'git-cache'),
      );
      const side = (ref: string) => ({ ref, label: ref, sha: shas.get(ref) as string });
      return { baseline: side(input.baseline), changed: side(input.changed) };
    },
  };
}

export type RepositoryActivities = ReturnType<typeof createRepositoryActivities>;
