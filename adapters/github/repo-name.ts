/** `owner/name` as Octokit's route parameters. */
export function ownerRepo(repo: string): { owner: string; repo: string } {
  const [owner = '', name = ''] = repo.split('/');
  return { owner, repo: name };
}

/** Octokit's RequestError carries the HTTP status; other errors do not. */
export function httpStatus(err: unknown): number | null {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
    ? err.status
    : null;
}
