import type { GitHubClient } from './client.js';
import { ownerRepo } from './repo-name.js';

export interface MarkedIssue {
  repo: string;
  /** A hidden HTML comment in the body that identifies the issue for good. */
  marker: string;
  title: string;
  body: string;
}

/**
 * Edits the title and body of an issue we opened; its state only when `state` says (otherwise
 * untouched: its owner may have closed it).
 */
export async function updateIssue(
  octokit: GitHubClient,
  number: number,
  issue: MarkedIssue,
  state?: 'open' | 'closed',
): Promise<void> {
  await octokit.rest.issues.update({
    ...ownerRepo(issue.repo),
    issue_number: number,
    title: issue.title,
    body: issue.body,
    ...(state === undefined ? {} : { state }),
  });
}

/**
 * Opens the issue that carries `marker`, or edits the one we opened before (open or closed: a
 * closed one stays closed, its owner decided). Safe to retry at any point: a retry after a lost
 * response finds the issue it already opened instead of opening a second.
 */
export async function upsertMarkedIssue(
  octokit: GitHubClient,
  self: string,
  issue: MarkedIssue,
): Promise<{ number: number; created: boolean }> {
  const where = ownerRepo(issue.repo);
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    ...where,
    creator: self,
    state: 'all',
    per_page: 100,
  });
  for await (const page of pages) {
    const found = page.data.find(
      (i) => i.pull_request === undefined && i.body?.includes(issue.marker) === true,
    );
    if (found) {
      await updateIssue(octokit, found.number, issue);
      return { number: found.number, created: false };
    }
  }
  // Not retried blindly: GitHub can open the issue and still answer 5xx; the activity's retry
  // starts over with the search above, which finds it.
  const created = await octokit.rest.issues.create({
    ...where,
    title: issue.title,
    body: issue.body,
    request: { retries: 0 },
  });
  return { number: created.data.number, created: true };
}
