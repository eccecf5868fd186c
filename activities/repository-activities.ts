import { join } from 'node:path';
import { resolveRefs } from '../adapters/git/resolve-refs.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { repoOrFail } from '../core/config/lookup-or-fail.js';
import type { SideView } from '../core/request/status-comment.js';

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
      const repo = repoOrFail(config, input.repo);
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
