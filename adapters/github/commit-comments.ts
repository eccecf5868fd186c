import type { GitHubClient } from './client.js';
import { ownerRepo } from './repo-name.js';

export interface MarkedCommitComment {
  repo: string;
  sha: string;
  /** A hidden HTML comment in the body that identifies the comment for good. */
  marker: string;
  body: string;
}

/**
 * Posts the comment that carries `marker` on the commit, or edits the one we posted before: a retry
 * after a lost response finds its comment instead of posting a second.
 */
export async function upsertCommitComment(
  octokit: GitHubClient,
  self: string,
  comment: MarkedCommitComment,
): Promise<{ id: number; created: boolean }> {
  const where = { ...ownerRepo(comment.repo), commit_sha: comment.sha };
  const pages = octokit.paginate.iterator(octokit.rest.repos.listCommentsForCommit, {
    ...where,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = page.data.find(
      (c) => c.user?.login.toLowerCase() === self.toLowerCase() && c.body.includes(comment.marker),
    );
    if (found) {
      if (found.body !== comment.body) {
        await octokit.rest.repos.updateCommitComment({
          ...ownerRepo(comment.repo),
          comment_id: found.id,
          body: comment.body,
        });
      }
      return { id: found.id, created: false };
    }
  }
  const created = await octokit.rest.repos.createCommitComment({
    ...where,
    body: comment.body,
    request: { retries: 0 },
  });
  return { id: created.data.id, created: true };
}
