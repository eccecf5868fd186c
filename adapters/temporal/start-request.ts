import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { REQUEST_WORKFLOW_TYPE } from '../../core/request/contract.js';
import { commentRequestId } from '../../core/request/ids.js';
import type { BenchmarkRequestInput, CommentSource } from '../../core/request/types.js';
import { PULL_REQUEST, REPOSITORY, REQUESTER } from '../../core/search-attributes.js';

export type StartOutcome = 'started' | 'already-started';

/**
 * Starts the BenchmarkRequest for a trigger comment. The id comes from the comment, and a closed
 * request's id is not reused either, so the poller, the webhook, a retried activity and an edit of
 * the trigger all land on the one request: "already started" is success.
 */
export async function startCommentRequest(
  client: Client,
  taskQueue: string,
  source: CommentSource,
): Promise<StartOutcome> {
  const input: BenchmarkRequestInput = { source };
  try {
    await client.workflow.start(REQUEST_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: commentRequestId(source.repo, source.commentId),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      // Findable by repository and PR from the first moment, before its first task runs.
      typedSearchAttributes: new TypedSearchAttributes([
        { key: REPOSITORY, value: source.repo },
        { key: PULL_REQUEST, value: source.pr },
        { key: REQUESTER, value: source.requester },
      ]),
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already-started';
    throw err;
  }
}
