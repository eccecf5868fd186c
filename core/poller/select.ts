import type { CommentSource } from '../request/types.js';
import { isTriggerLine } from '../trigger.js';

/**
 * An issue comment as both paths see it: the poller's list response and the webhook's
 * `issue_comment` payload carry the same comment object.
 */
export interface SeenComment {
  id: number;
  body: string;
  author: string;
  /** GitHub's author_association. */
  association: string;
  /** Epoch ms, whole seconds (GitHub's precision). */
  updatedAtMs: number;
  /** The pull request or issue number. */
  issueNumber: number;
  onPullRequest: boolean;
}

/**
 * Repository-level comment listings mix issues and pull requests; GitHub's `html_url` of a
 * comment on a pull request reads `…/pull/N#issuecomment-ID`, so no extra request is needed to
 * tell them apart.
 */
export function isPullRequestCommentUrl(htmlUrl: string): boolean {
  return /\/pull\/\d+#issuecomment-\d+$/.test(htmlUrl);
}

/** `…/issues/42` → 42; null for anything else. */
export function issueNumberFromUrl(issueUrl: string): number | null {
  const match = /\/issues\/(\d+)$/.exec(issueUrl);
  return match ? Number(match[1]) : null;
}

/**
 * The request a comment asks for, or null: only comments on pull requests whose first line is a
 * trigger, and never benchbot's own. The request's id comes from the comment id alone, so a comment
 * edited into a trigger starts a run, and further edits of a trigger start nothing new.
 */
export function requestSourceFor(
  repo: string,
  comment: SeenComment,
  botLogin: string | null,
): CommentSource | null {
  if (!comment.onPullRequest) return null;
  if (botLogin !== null && comment.author.toLowerCase() === botLogin.toLowerCase()) return null;
  if (!isTriggerLine(comment.body)) return null;
  return {
    kind: 'comment',
    repo,
    pr: comment.issueNumber,
    commentId: comment.id,
    requester: comment.author,
    association: comment.association,
    body: comment.body,
  };
}
