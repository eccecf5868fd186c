import type { Client } from '@temporalio/client';
import { commentRequestId } from '../../core/request/ids.js';
import type { CommentSource } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import type { AuthorAssociation, FakeGitHub } from '../fakes/github/index.js';

/** Who writes a comment, and how GitHub relates them to the repository. */
export interface Commenter {
  login: string;
  association: AuthorAssociation;
}

const MEMBER: Commenter = { login: 'alice', association: 'MEMBER' };

/** Writes `body` on the pull request in the fake GitHub; returns the source the poller would make of it. */
export function triggerComment(
  fake: FakeGitHub,
  repo: string,
  pr: number,
  body: string,
  by: Commenter = MEMBER,
): CommentSource {
  const view = fake.addComment(repo, pr, { author: by.login, body, authorAssociation: by.association });
  return {
    kind: 'comment',
    repo,
    pr,
    commentId: view.id,
    requester: by.login,
    association: by.association,
    body,
  };
}

/** Starts the BenchmarkRequest the poller would start for the comment, under the same workflow id. */
export function startCommentRequest(client: Client, taskQueue: string, source: CommentSource) {
  return client.workflow.start(benchmarkRequest, {
    taskQueue,
    workflowId: commentRequestId(source.repo, source.commentId),
    args: [{ source }],
  });
}
