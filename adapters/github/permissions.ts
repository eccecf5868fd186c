import type { Permission } from '../../core/request/authorization.js';
import type { GitHubClient } from './client.js';
import { httpStatus, ownerRepo } from './repo-name.js';

const KNOWN: readonly Permission[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];

/** The user's effective permission on the repository; `none` for someone who is not a collaborator. */
export async function repositoryPermission(
  octokit: GitHubClient,
  repo: string,
  login: string,
): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      ...ownerRepo(repo),
      username: login,
    });
    // role_name carries the finer custom roles (triage, maintain); permission only the classic three.
    const role = data.role_name as Permission;
    return KNOWN.includes(role) ? role : (data.permission as Permission);
  } catch (err) {
    if (httpStatus(err) === 404) return 'none';
    throw err;
  }
}
