import type { GitHubClient } from './client.js';
import { httpStatus, ownerRepo } from './repo-name.js';

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

export interface MarkedComment {
  repo: string;
  issueNumber: number;
  marker: string;
  body: string;
  /** The id this comment had last time, when known: one PATCH instead of a search. */
  knownCommentId?: number | null;
}

/**
 * Creates or edits the comment that carries `marker` (and was written by us). Safe to retry at any
 * point: a retry after a lost response finds the comment it already posted instead of posting again.
 */
export async function upsertMarkedComment(
  octokit: GitHubClient,
  self: string,
  comment: MarkedComment,
): Promise<number> {
  const where = ownerRepo(comment.repo);
  if (comment.knownCommentId) {
    try {
      await octokit.rest.issues.updateComment({
        ...where,
        comment_id: comment.knownCommentId,
        body: comment.body,
      });
      return comment.knownCommentId;
    } catch (err) {
      // Someone deleted it; fall through and post it again.
      if (httpStatus(err) !== 404) throw err;
    }
  }
  const existing = await findMarkedComment(octokit, self, comment.repo, comment.issueNumber, comment.marker);
  if (existing !== null) {
    await octokit.rest.issues.updateComment({ ...where, comment_id: existing, body: comment.body });
    return existing;
  }
  // Not retried blindly: GitHub can create the comment and still answer 5xx. The activity's retry
  // starts over with the search above, which finds a comment that was created after all.
  const created = await octokit.rest.issues.createComment({
    ...where,
    issue_number: comment.issueNumber,
    body: comment.body,
    request: { retries: 0 },
  });
  return created.data.id;
}

async function findMarkedComment(
  octokit: GitHubClient,
  self: string,
  repo: string,
  issueNumber: number,
  marker: string,
): Promise<number | null> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...ownerRepo(repo),
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const mine = page.data.find(
      (c) => c.user?.login.toLowerCase() === self.toLowerCase() && c.body?.includes(marker) === true,
    );
    if (mine) return mine.id;
  }
  return null;
}

/** Adds a reaction; GitHub answers 200 for one we already left, so retries are harmless. */
export async function react(
  octokit: GitHubClient,
  repo: string,
  commentId: number,
  content: ReactionContent,
): Promise<'added' | 'comment-gone'> {
  try {
    await octokit.rest.reactions.createForIssueComment({
      ...ownerRepo(repo),
      comment_id: commentId,
      content,
    });
    return 'added';
  } catch (err) {
    // The trigger comment was deleted: nothing to react to, and nothing worth failing a request over.
    if (httpStatus(err) === 404) return 'comment-gone';
    throw err;
  }
}
