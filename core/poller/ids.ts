/**
 * One poller per watched repository: each has its own cursor and ETag, can be paused alone, and a
 * repository with a burst of comments does not delay the others.
 */
export function pollerWorkflowId(repo: string): string {
  return `poller:${repo.toLowerCase()}`;
}
