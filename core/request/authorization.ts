import type { RepoConfig } from '../config/index.js';

export type TriggerPolicy = RepoConfig['trigger'];
export type Permission = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

const PERMISSION_RANK: Record<Permission, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

export function permissionAtLeast(actual: Permission, minimum: Exclude<Permission, 'none'>): boolean {
  return PERMISSION_RANK[actual] >= PERMISSION_RANK[minimum];
}

/**
 * The cheap part of authorization, from what the comment itself carries. `check-permission` means
 * only the repository permission API can tell (the policy names a minimum permission).
 */
export function authorizeByComment(
  policy: TriggerPolicy,
  login: string,
  association: string,
): 'allowed' | 'denied' | 'check-permission' {
  if ((policy.associations as readonly string[]).includes(association)) return 'allowed';
  if (policy.users.some((user) => user.toLowerCase() === login.toLowerCase())) return 'allowed';
  return policy.minPermission === null ? 'denied' : 'check-permission';
}

const ASSOCIATION_WORDS: Record<string, string> = {
  OWNER: 'owners',
  MEMBER: 'organization members',
  COLLABORATOR: 'collaborators',
  CONTRIBUTOR: 'earlier contributors',
  FIRST_TIME_CONTRIBUTOR: 'first-time contributors',
  FIRST_TIMER: 'first-time GitHub users',
  MANNEQUIN: 'mannequins',
  NONE: 'anyone',
};

/** The one polite reply an untrusted commenter gets: who can trigger, and what to do instead. */
export function refusalMessage(policy: TriggerPolicy, login: string): string {
  const who = policy.associations.map((a) => ASSOCIATION_WORDS[a] ?? a);
  if (policy.minPermission !== null) who.push(`people with ${policy.minPermission} permission or more`);
  if (policy.users.length > 0) who.push(policy.users.map((u) => `@${u}`).join(', '));
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} or ${who.at(-1)}` : (who[0] ?? 'nobody');
  return [
    `Thanks for the interest, @${login}! Benchmark runs take a dedicated machine for a while, so in this repository only ${list} can start them.`,
    '',
    'Please ask one of them to comment the same trigger on this pull request.',
  ].join('\n');
}
