import type { components } from '@octokit/openapi-types';
import { isoSeconds } from './clock.js';
import type { CommitRecord } from './commits.js';
import {
  type FakeComment,
  type FakeIssue,
  type FakeReaction,
  type FakeRepo,
  type FakeState,
  type FakeUser,
  fullName,
  type RepoRole,
} from './state.js';

type Schemas = components['schemas'];

/** The fake's API origin (known only once it listens) and the web origin used in html_url fields. */
export interface Urls {
  api: string;
  html: string;
}

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
}

export function simpleUser(user: FakeUser, urls: Urls): Schemas['simple-user'] {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  const html =
    user.type === 'Bot'
      ? `${urls.html}/apps/${user.login.replace(/\[bot\]$/, '')}`
      : `${urls.html}/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: html,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function repository(repo: FakeRepo, urls: Urls): Schemas['repository'] {
  const api = `${urls.api}/repos/${fullName(repo)}`;
  const html = `${urls.html}/${fullName(repo)}`;
  const created = isoSeconds(repo.createdAt);
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName(repo),
    license: null,
    forks: 0,
    owner: simpleUser(repo.owner, urls),
    private: repo.visibility === 'private',
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${fullName(repo)}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${fullName(repo)}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: [...repo.issues.values()].filter((issue) => issue.state === 'open').length,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    visibility: repo.visibility,
    pushed_at: created,
    created_at: created,
    updated_at: created,
    open_issues: [...repo.issues.values()].filter((issue) => issue.state === 'open').length,
    watchers: 0,
  };
}

export function reactionRollup(
  state: FakeState,
  comment: FakeComment,
  urls: Urls,
): Schemas['reaction-rollup'] {
  const reactions = state.reactionsOf(comment.id);
  const count = (content: string): number => reactions.filter((r) => r.content === content).length;
  return {
    url: `${urls.api}/repos/${fullName(comment.repo)}/issues/comments/${comment.id}/reactions`,
    total_count: reactions.length,
    '+1': count('+1'),
    '-1': count('-1'),
    laugh: count('laugh'),
    confused: count('confused'),
    heart: count('heart'),
    hooray: count('hooray'),
    eyes: count('eyes'),
    rocket: count('rocket'),
  };
}

export function issueComment(state: FakeState, comment: FakeComment, urls: Urls): Schemas['issue-comment'] {
  const api = `${urls.api}/repos/${fullName(comment.repo)}`;
  const issue = comment.repo.issues.get(comment.issueNumber);
  const htmlKind = issue?.pull == null ? 'issues' : 'pull';
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${urls.html}/${fullName(comment.repo)}/${htmlKind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: simpleUser(comment.author, urls),
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    author_association: comment.authorAssociation,
    performed_via_github_app: null,
    reactions: reactionRollup(state, comment, urls),
  };
}

export function reaction(r: FakeReaction, urls: Urls): Schemas['reaction'] {
  return {
    id: r.id,
    node_id: nodeId('Reaction', r.id),
    user: simpleUser(r.user, urls),
    content: r.content,
    created_at: isoSeconds(r.createdAt),
  };
}

export function issue(state: FakeState, repo: FakeRepo, i: FakeIssue, urls: Urls): Schemas['issue'] {
  const api = `${urls.api}/repos/${fullName(repo)}/issues/${i.number}`;
  const htmlKind = i.pull === null ? 'issues' : 'pull';
  const html = `${urls.html}/${fullName(repo)}/${htmlKind}/${i.number}`;
  const payload: Schemas['issue'] = {
    id: i.id,
    node_id: nodeId(i.pull === null ? 'Issue' : 'PullRequest', i.id),
    url: api,
    repository_url: `${urls.api}/repos/${fullName(repo)}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    number: i.number,
    state: i.state,
    title: i.title,
    body: i.body,
    user: simpleUser(i.author, urls),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: state.commentCount(repo, i.number),
    closed_at: i.closedAt === null ? null : isoSeconds(i.closedAt),
    created_at: isoSeconds(i.createdAt),
    updated_at: isoSeconds(i.updatedAt),
    author_association: i.authorAssociation,
    timeline_url: `${api}/timeline`,
    performed_via_github_app: null,
  };
  if (i.pull !== null) {
    payload.draft = i.pull.draft;
    payload.pull_request = {
      url: `${urls.api}/repos/${fullName(repo)}/pulls/${i.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: i.pull.mergedAt === null ? null : isoSeconds(i.pull.mergedAt),
    };
  }
  return payload;
}

export interface ResolvedSides {
  headSha: string;
  baseSha: string;
  commits: number;
}

export function pullRequest(
  state: FakeState,
  repo: FakeRepo,
  i: FakeIssue,
  sides: ResolvedSides,
  urls: Urls,
): Schemas['pull-request'] {
  const pull = i.pull;
  if (pull === null) throw new Error(`${fullName(repo)}#${i.number} is not a pull request`);
  const repoApi = `${urls.api}/repos/${fullName(repo)}`;
  const api = `${repoApi}/pulls/${i.number}`;
  const html = `${urls.html}/${fullName(repo)}/pull/${i.number}`;
  const owner = simpleUser(repo.owner, urls);
  const repoPayload = repository(repo, urls);
  const link = (href: string): Schemas['link'] => ({ href });
  return {
    url: api,
    id: i.id,
    node_id: nodeId('PullRequest', i.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoApi}/issues/${i.number}`,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${repoApi}/pulls/comments{/number}`,
    comments_url: `${repoApi}/issues/${i.number}/comments`,
    statuses_url: `${repoApi}/statuses/${sides.headSha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: simpleUser(i.author, urls),
    body: i.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: isoSeconds(i.createdAt),
    updated_at: isoSeconds(i.updatedAt),
    closed_at: i.closedAt === null ? null : isoSeconds(i.closedAt),
    merged_at: pull.mergedAt === null ? null : isoSeconds(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${repo.owner.login}:${pull.head.ref}`,
      ref: pull.head.ref,
      sha: sides.headSha,
      user: owner,
      repo: repoPayload,
    },
    base: {
      label: `${repo.owner.login}:${pull.base.ref}`,
      ref: pull.base.ref,
      sha: sides.baseSha,
      user: owner,
      repo: repoPayload,
    },
    _links: {
      self: link(api),
      html: link(html),
      issue: link(`${repoApi}/issues/${i.number}`),
      comments: link(`${repoApi}/issues/${i.number}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${repoApi}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${repoApi}/statuses/${sides.headSha}`),
    },
    author_association: i.authorAssociation,
    auto_merge: null,
    draft: pull.draft,
    merged: pull.merged,
    mergeable: pull.merged ? null : true,
    rebaseable: pull.merged ? null : true,
    mergeable_state: pull.merged ? 'unknown' : 'clean',
    merged_by: null,
    comments: state.commentCount(repo, i.number),
    review_comments: 0,
    maintainer_can_modify: false,
    commits: sides.commits,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function commit(state: FakeState, repo: FakeRepo, c: CommitRecord, urls: Urls): Schemas['commit'] {
  const api = `${urls.api}/repos/${fullName(repo)}`;
  const html = `${urls.html}/${fullName(repo)}`;
  const account = (email: string): Schemas['simple-user'] | null => {
    const user = state.userByEmail(email);
    return user === undefined ? null : simpleUser(user, urls);
  };
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('Commit', Number.parseInt(c.sha.slice(0, 8), 16)),
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: { name: c.author.name, email: c.author.email, date: isoSeconds(c.author.date) },
      committer: { name: c.committer.name, email: c.committer.email, date: isoSeconds(c.committer.date) },
      message: c.message,
      comment_count: 0,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: account(c.author.email),
    committer: account(c.committer.email),
    parents: c.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
  };
}

export interface Comparison {
  basehead: string;
  base: CommitRecord;
  head: CommitRecord;
  mergeBase: CommitRecord;
  aheadBy: number;
  behindBy: number;
  commits: CommitRecord[];
}

export function comparison(
  state: FakeState,
  repo: FakeRepo,
  cmp: Comparison,
  urls: Urls,
): Schemas['commit-comparison'] {
  const html = `${urls.html}/${fullName(repo)}`;
  const status: Schemas['commit-comparison']['status'] =
    cmp.aheadBy === 0 && cmp.behindBy === 0
      ? 'identical'
      : cmp.behindBy === 0
        ? 'ahead'
        : cmp.aheadBy === 0
          ? 'behind'
          : 'diverged';
  return {
    url: `${urls.api}/repos/${fullName(repo)}/compare/${cmp.basehead}`,
    html_url: `${html}/compare/${cmp.basehead}`,
    permalink_url: `${html}/compare/${repo.owner.login}:${cmp.base.sha}...${repo.owner.login}:${cmp.head.sha}`,
    diff_url: `${html}/compare/${cmp.basehead}.diff`,
    patch_url: `${html}/compare/${cmp.basehead}.patch`,
    base_commit: commit(state, repo, cmp.base, urls),
    merge_base_commit: commit(state, repo, cmp.mergeBase, urls),
    status,
    ahead_by: cmp.aheadBy,
    behind_by: cmp.behindBy,
    total_commits: cmp.aheadBy,
    commits: cmp.commits.map((c) => commit(state, repo, c, urls)),
    files: [],
  };
}

/**
 * `permission` carries the legacy base roles: maintain reads as write and triage as read, while
 * `role_name` names the role actually granted (documented for "Get repository permissions for a user").
 */
export function collaboratorPermission(
  repo: FakeRepo,
  user: FakeUser,
  role: RepoRole | null,
  urls: Urls,
): Schemas['repository-collaborator-permission'] {
  const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  const fallback = repo.visibility === 'public' ? 'read' : 'none';
  const rank = ['read', 'triage', 'write', 'maintain', 'admin'].indexOf(role ?? fallback);
  return {
    permission: legacy ?? fallback,
    role_name: role ?? fallback,
    user: {
      ...simpleUser(user, urls),
      permissions: {
        pull: rank >= 0,
        triage: rank >= 1,
        push: rank >= 2,
        maintain: rank >= 3,
        admin: rank >= 4,
      },
      role_name: role ?? fallback,
    },
  };
}

export function rateLimitOverview(
  core: Schemas['rate-limit'],
  reset: number,
): Schemas['rate-limit-overview'] {
  const idle = (limit: number): Schemas['rate-limit'] => ({ limit, remaining: limit, used: 0, reset });
  return {
    resources: {
      core,
      search: idle(30),
      graphql: idle(5000),
      integration_manifest: idle(5000),
      code_search: idle(10),
    },
    rate: core,
  };
}
