import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type ReactionContent, react, upsertMarkedComment } from '../adapters/github/comments.js';
import { repositoryPermission } from '../adapters/github/permissions.js';
import { type PullRequestSides, pullRequestHead, resolvePullRequestSides } from '../adapters/github/refs.js';
import type { GitHubSession } from '../adapters/github/session.js';
import type { StoreAccess } from '../adapters/results-store/access.js';
import { type BenchbotConfig, findRepo } from '../core/config/index.js';
import { authorizeByComment, permissionAtLeast, refusalMessage } from '../core/request/authorization.js';
import { INVALID_RESULTS } from '../core/request/contract.js';
import { commentMarker } from '../core/request/ids.js';
import { renderStatusComment, type StatusView } from '../core/request/status-comment.js';
import { workflowUrl } from '../core/request/workflow-url.js';

export interface GitHubActivityDeps {
  config: BenchbotConfig;
  github: GitHubSession;
  /** The Web UI base URL as actually served (an embedded server may have picked its port). */
  uiUrl: string | null;
  /** Where the status comment finds a recorded run's report (see publishStatus's reportOf). */
  store?: StoreAccess;
}

export interface CommentTarget {
  repo: string;
  issueNumber: number;
  knownCommentId?: number | null;
}

export interface Authorization {
  allowed: boolean;
  refusal: string | null;
}

function currentWorkflowId(): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution)
    throw new Error('this activity marks comments with its workflow id, so it must run in a workflow');
  return execution.workflowId;
}

export function createGitHubActivities(deps: GitHubActivityDeps) {
  const { octokit, whoAmI } = deps.github;
  // Every status comment, the final report included, says so when jobs run unsandboxed.
  const { executor } = deps.config;
  const unsandboxed = executor.kind === 'local' && executor.local.sandbox === 'none';
  const publish = async (target: CommentTarget, text: string) => {
    const marker = commentMarker(currentWorkflowId());
    return upsertMarkedComment(octokit(), await whoAmI(), {
      ...target,
      marker,
      body: `${marker}\n${text}`,
    });
  };

  const storedReport = async (runId: string): Promise<string> => {
    if (deps.store === undefined) throw new Error('publishStatus with reportOf needs the results store');
    const stored = await deps.store.use((s) => s.runReport(runId));
    if (stored?.report == null) {
      throw ApplicationFailure.nonRetryable(
        `run ${runId} has no report in the results store (was the store replaced while the request ran?)`,
        INVALID_RESULTS,
      );
    }
    return stored.report;
  };

  return {
    /** Posts or edits this request's one comment with a reply; returns its id. */
    async publishReply(input: CommentTarget & { text: string }): Promise<number> {
      return publish(input, input.text);
    },

    /**
     * Posts or edits this request's status comment; returns its id. With `reportOf` (a recorded
     * run's id) the report comes from the results store, so it is not in the workflow's history again.
     */
    async publishStatus(
      input: CommentTarget & { view: Omit<StatusView, 'workflowUrl'>; reportOf?: string },
    ): Promise<number> {
      const url = workflowUrl(deps.uiUrl, deps.config.temporal.namespace, currentWorkflowId());
      const view = { ...input.view, workflowUrl: url, unsandboxed };
      if (input.reportOf !== undefined) view.report = await storedReport(input.reportOf);
      return publish(input, renderStatusComment(view));
    },

    async reactToComment(input: {
      repo: string;
      commentId: number;
      content: ReactionContent;
    }): Promise<string> {
      return react(octokit(), input.repo, input.commentId, input.content);
    },

    async resolveSides(input: {
      repo: string;
      prNumber: number;
      baseline: string | null;
      changed: string | null;
    }): Promise<PullRequestSides> {
      return resolvePullRequestSides(octokit(), input.repo, input.prNumber, input);
    },

    /** Where a pull request's head is now: a request checks it just before its job starts. */
    async pullRequestHead(input: { repo: string; prNumber: number }): Promise<string> {
      return pullRequestHead(octokit(), input.repo, input.prNumber);
    },

    /** Trusted commenters only: the comment's association first, the permission API if the policy says. */
    async authorizeCommenter(input: {
      repo: string;
      login: string;
      association: string;
    }): Promise<Authorization> {
      const repo = findRepo(deps.config, input.repo);
      if (repo === null) return { allowed: false, refusal: `${input.repo} is not configured in benchbot.` };
      const policy = repo.trigger;
      let decision = authorizeByComment(policy, input.login, input.association);
      if (decision === 'check-permission' && policy.minPermission !== null) {
        const permission = await repositoryPermission(octokit(), input.repo, input.login);
        decision = permissionAtLeast(permission, policy.minPermission) ? 'allowed' : 'denied';
      }
      return decision === 'allowed'
        ? { allowed: true, refusal: null }
        : { allowed: false, refusal: refusalMessage(policy, input.login) };
    },

    /** Maintainers may cancel anyone's request; others only their own. */
    async canCancelAnyRequest(input: { repo: string; login: string }): Promise<boolean> {
      return permissionAtLeast(await repositoryPermission(octokit(), input.repo, input.login), 'maintain');
    },
  };
}

export type GitHubActivities = ReturnType<typeof createGitHubActivities>;
