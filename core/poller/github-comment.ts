import { z } from 'zod';
import { isPullRequestCommentUrl, issueNumberFromUrl, type SeenComment } from './select.js';

// Only the fields benchbot reads; GitHub sends many more, which are ignored.
const commentSchema = z.object({
  id: z.number().int().positive(),
  body: z.string().nullish(),
  user: z.object({ login: z.string() }).nullable(),
  author_association: z.string(),
  updated_at: z.string(),
  html_url: z.string(),
  issue_url: z.string(),
});

/** An issue comment from the REST API or a webhook payload; null when it lacks what benchbot needs. */
export function seenComment(raw: unknown): SeenComment | null {
  const parsed = commentSchema.safeParse(raw);
  if (!parsed.success || parsed.data.user === null) return null;
  const comment = parsed.data;
  const issueNumber = issueNumberFromUrl(comment.issue_url);
  const updatedAtMs = Date.parse(comment.updated_at);
  if (issueNumber === null || Number.isNaN(updatedAtMs)) return null;
  return {
    id: comment.id,
    body: comment.body ?? '',
    author: comment.user?.login ?? '',
    association: comment.author_association,
    updatedAtMs,
    issueNumber,
    onPullRequest: isPullRequestCommentUrl(comment.html_url),
  };
}

const issueCommentEventSchema = z.object({
  action: z.string(),
  repository: z.object({ full_name: z.string() }),
  comment: z.unknown(),
});

const pullRequestEventSchema = z.object({
  action: z.string(),
  repository: z.object({ full_name: z.string() }),
  pull_request: z.object({ number: z.number().int().positive(), head: z.object({ sha: z.string() }) }),
});

export type WebhookDecision =
  | { kind: 'comment'; repo: string; comment: SeenComment }
  /** New commits on a pull request (`synchronize`): its head is now `headSha`. */
  | { kind: 'push'; repo: string; pr: number; headSha: string }
  | { kind: 'ignore'; reason: string };

/** Comment creations and edits are what can make a trigger; deletions and other events cannot. */
const ACTIONS = new Set(['created', 'edited']);

/** What a verified webhook delivery asks of benchbot. */
export function webhookDecision(event: string, payload: unknown): WebhookDecision {
  if (event === 'pull_request') {
    const parsed = pullRequestEventSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'ignore', reason: 'not a pull_request payload' };
    const { action, repository, pull_request: pr } = parsed.data;
    if (action !== 'synchronize') return { kind: 'ignore', reason: `pull_request action ${action}` };
    return { kind: 'push', repo: repository.full_name, pr: pr.number, headSha: pr.head.sha };
  }
  if (event !== 'issue_comment') {
    return { kind: 'ignore', reason: `event ${event} is neither issue_comment nor pull_request` };
  }
  const parsed = issueCommentEventSchema.safeParse(payload);
  if (!parsed.success) return { kind: 'ignore', reason: 'not an issue_comment payload' };
  if (!ACTIONS.has(parsed.data.action)) return { kind: 'ignore', reason: `action ${parsed.data.action}` };
  const comment = seenComment(parsed.data.comment);
  if (comment === null) return { kind: 'ignore', reason: 'comment without id, author or URLs' };
  return { kind: 'comment', repo: parsed.data.repository.full_name, comment };
}
