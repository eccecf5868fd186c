import { ApplicationFailure } from '@temporalio/common';
import { UNKNOWN_REF } from '../../core/request/contract.js';
import type { SideView } from '../../core/request/status-comment.js';
import type { GitHubClient } from './client.js';
import { httpStatus, ownerRepo } from './repo-name.js';

export interface ResolvedSide extends SideView {
  sha: string;
}

export interface PullRequestSides {
  baseline: ResolvedSide;
  changed: ResolvedSide;
  prState: 'open' | 'closed';
}

/**
 * Resolves both sides to exact commits, once, at the start: the changed side defaults to the PR
 * head, the baseline to the merge base of the head with the base branch as it is now (what the
 * PR would change if merged), and either may be any ref the comment named.
 */
export async function resolvePullRequestSides(
  octokit: GitHubClient,
  repo: string,
  prNumber: number,
  requested: { baseline: string | null; changed: string | null },
): Promise<PullRequestSides> {
  const where = ownerRepo(repo);
  const { data: pr } = await octokit.rest.pulls.get({ ...where, pull_number: prNumber });
  const changed = requested.changed
    ? await resolveRef(octokit, repo, requested.changed)
    : { ref: null, label: `PR head (\`${pr.head.ref}\`)`, sha: pr.head.sha };
  let baseline: ResolvedSide;
  if (requested.baseline) {
    baseline = await resolveRef(octokit, repo, requested.baseline);
  } else {
    const { data: comparison } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...where,
      basehead: `${pr.base.ref}...${changed.sha}`,
      per_page: 1,
    });
    baseline = {
      ref: null,
      label: `merge base with \`${pr.base.ref}\``,
      sha: comparison.merge_base_commit.sha,
    };
  }
  return {
    baseline,
    changed,
    prState: pr.state === 'open' ? 'open' : 'closed',
  };
}

/** The commit a pull request's head is at now. */
export async function pullRequestHead(
  octokit: GitHubClient,
  repo: string,
  prNumber: number,
): Promise<string> {
  const { data: pr } = await octokit.rest.pulls.get({ ...ownerRepo(repo), pull_number: prNumber });
  return pr.head.sha;
}

async function resolveRef(octokit: GitHubClient, repo: string, ref: string): Promise<ResolvedSide> {
  try {
    const { data } = await octokit.rest.repos.getCommit({ ...ownerRepo(repo), ref, per_page: 1 });
    return { ref, label: ref, sha: data.sha };
  } catch (err) {
    const status = httpStatus(err);
    if (status === 404 || status === 422) {
      throw ApplicationFailure.nonRetryable(
        `\`${ref}\` is not a branch, tag or commit of ${repo}. Fix: name one that exists (a full SHA always works).`,
        UNKNOWN_REF,
      );
    }
    throw err;
  }
}
