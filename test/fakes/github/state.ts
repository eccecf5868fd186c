import type { components } from '@octokit/openapi-types';
import { type FakeClock, floorToSecond } from './clock.js';
import { type CommitSource, MemoryCommitGraph } from './commits.js';
import { GitCommitSource } from './git-commits.js';

export type AuthorAssociation = components['schemas']['author-association'];
export type ReactionContent = components['schemas']['reaction']['content'];
export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';
export type UserType = 'User' | 'Bot' | 'Organization';

export const REACTION_CONTENTS: readonly ReactionContent[] = [
  '+1',
  '-1',
  'laugh',
  'confused',
  'heart',
  'hooray',
  'rocket',
  'eyes',
];

export interface FakeUser {
  id: number;
  login: string;
  type: UserType;
  name: string | null;
  email: string | null;
}

export interface UserSpec {
  login: string;
  type?: UserType;
  name?: string;
  email?: string;
  /** A token that authenticates as this user. */
  token?: string;
}

export interface FakeRepo {
  id: number;
  owner: FakeUser;
  name: string;
  visibility: 'public' | 'private';
  defaultBranch: string;
  createdAt: number;
  commits: CommitSource;
  /** Present when history is in memory; null when it comes from a git repository on disk. */
  graph: MemoryCommitGraph | null;
  collaborators: Map<string, RepoRole>;
  issues: Map<number, FakeIssue>;
  nextNumber: number;
}

export interface RepoSpec {
  owner: string;
  name: string;
  defaultBranch?: string;
  visibility?: 'public' | 'private';
  /** A real git repository whose history serves commits, compare and PR refs. */
  gitPath?: string;
}

export interface PullSide {
  ref: string;
  /** Pinned SHA; when absent the ref is resolved on every request, as GitHub tracks a pushed branch. */
  sha: string | null;
}

export interface FakePull {
  head: PullSide;
  base: PullSide;
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergeCommitSha: string | null;
}

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  author: FakeUser;
  authorAssociation: AuthorAssociation;
  state: 'open' | 'closed';
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  pull: FakePull | null;
}

export interface IssueSpec {
  author: string;
  title?: string;
  body?: string;
  number?: number;
  authorAssociation?: AuthorAssociation;
}

export interface PullSpec extends IssueSpec {
  head: { ref: string; sha?: string };
  base: { ref: string; sha?: string };
  draft?: boolean;
}

export interface PullUpdate {
  headSha?: string | null;
  baseSha?: string | null;
  state?: 'open' | 'closed';
  merged?: boolean;
  title?: string;
}

export interface FakeComment {
  id: number;
  repo: FakeRepo;
  issueNumber: number;
  author: FakeUser;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: number;
  updatedAt: number;
}

export interface CommentSpec {
  author: string;
  body: string;
  authorAssociation?: AuthorAssociation;
}

export interface FakeReaction {
  id: number;
  commentId: number;
  user: FakeUser;
  content: ReactionContent;
  createdAt: number;
}

/** Everything the fake knows, with the operations both the HTTP routes and the tests' control API use. */
export class FakeState {
  private readonly users = new Map<string, FakeUser>();
  private readonly tokens = new Map<string, FakeUser>();
  private readonly repos = new Map<string, FakeRepo>();
  private readonly comments = new Map<number, FakeComment>();
  private readonly reactions = new Map<number, FakeReaction[]>();
  // Separate id spaces, sized like GitHub's, so an id of one kind is never mistaken for another.
  private nextUserId = 1_000;
  private nextRepoId = 500_000_000;
  private nextIssueId = 2_000_000_000;
  private nextCommentId = 1_500_000_000;
  private nextReactionId = 200_000_000;

  constructor(readonly clock: FakeClock) {}

  now(): number {
    return floorToSecond(this.clock.now());
  }

  addUser(spec: UserSpec): FakeUser {
    const existing = this.users.get(spec.login.toLowerCase());
    const user: FakeUser = existing ?? {
      id: this.nextUserId++,
      login: spec.login,
      type: spec.type ?? (spec.login.endsWith('[bot]') ? 'Bot' : 'User'),
      name: spec.name ?? null,
      email: spec.email ?? null,
    };
    this.users.set(user.login.toLowerCase(), user);
    if (spec.token !== undefined) this.tokens.set(spec.token, user);
    return user;
  }

  addToken(token: string, login: string): void {
    this.tokens.set(token, this.requireUser(login));
  }

  user(login: string): FakeUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  userByEmail(email: string): FakeUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email?.toLowerCase() === wanted);
  }

  userForToken(token: string): FakeUser | undefined {
    return this.tokens.get(token);
  }

  requireUser(login: string): FakeUser {
    const user = this.user(login);
    if (user === undefined)
      throw new Error(`fake GitHub: no user "${login}"; add it first with addUser({ login })`);
    return user;
  }

  createRepo(spec: RepoSpec): FakeRepo {
    const key = repoKey(spec.owner, spec.name);
    if (this.repos.has(key)) throw new Error(`createRepo: ${spec.owner}/${spec.name} already exists`);
    const owner = this.user(spec.owner) ?? this.addUser({ login: spec.owner });
    const graph = spec.gitPath === undefined ? new MemoryCommitGraph(() => this.now()) : null;
    const repo: FakeRepo = {
      id: this.nextRepoId++,
      owner,
      name: spec.name,
      visibility: spec.visibility ?? 'public',
      defaultBranch: spec.defaultBranch ?? 'main',
      createdAt: this.now(),
      commits: graph ?? new GitCommitSource(spec.gitPath ?? ''),
      graph,
      collaborators: new Map(),
      issues: new Map(),
      nextNumber: 1,
    };
    this.repos.set(key, repo);
    return repo;
  }

  repo(owner: string, name: string): FakeRepo | undefined {
    return this.repos.get(repoKey(owner, name));
  }

  repoById(id: number): FakeRepo | undefined {
    return [...this.repos.values()].find((repo) => repo.id === id);
  }

  requireRepo(fullName: string): FakeRepo {
    const [owner = '', name = ''] = fullName.split('/');
    const repo = this.repo(owner, name);
    if (repo === undefined)
      throw new Error(`fake GitHub: no repository "${fullName}"; create it with createRepo()`);
    return repo;
  }

  setCollaborator(repo: FakeRepo, login: string, role: RepoRole | null): void {
    const user = this.user(login) ?? this.addUser({ login });
    if (role === null) repo.collaborators.delete(user.login.toLowerCase());
    else repo.collaborators.set(user.login.toLowerCase(), role);
  }

  /** The owner is an admin; everyone else has the role they were given, or none. */
  roleOf(repo: FakeRepo, user: FakeUser): RepoRole | null {
    if (user.id === repo.owner.id) return 'admin';
    return repo.collaborators.get(user.login.toLowerCase()) ?? null;
  }

  associationOf(repo: FakeRepo, user: FakeUser): AuthorAssociation {
    if (user.id === repo.owner.id) return 'OWNER';
    return this.roleOf(repo, user) === null ? 'NONE' : 'COLLABORATOR';
  }

  openIssue(repo: FakeRepo, spec: IssueSpec): FakeIssue {
    return this.insertIssue(repo, spec, null);
  }

  async openPullRequest(repo: FakeRepo, spec: PullSpec): Promise<FakeIssue> {
    for (const [side, ref] of [
      ['head', spec.head],
      ['base', spec.base],
    ] as const) {
      const target = ref.sha ?? ref.ref;
      if ((await repo.commits.resolve(target)) === null) {
        throw new Error(
          `openPullRequest: ${side} "${target}" is not a commit or branch of ${fullName(repo)}`,
        );
      }
    }
    return this.insertIssue(repo, spec, {
      head: { ref: spec.head.ref, sha: spec.head.sha ?? null },
      base: { ref: spec.base.ref, sha: spec.base.sha ?? null },
      draft: spec.draft ?? false,
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
    });
  }

  updatePullRequest(repo: FakeRepo, number: number, update: PullUpdate): FakeIssue {
    const issue = repo.issues.get(number);
    if (issue?.pull == null)
      throw new Error(`updatePullRequest: ${fullName(repo)}#${number} is not a pull request`);
    const now = this.now();
    if (update.headSha !== undefined) issue.pull.head.sha = update.headSha;
    if (update.baseSha !== undefined) issue.pull.base.sha = update.baseSha;
    if (update.title !== undefined) issue.title = update.title;
    if (update.merged === true) {
      issue.pull.merged = true;
      issue.pull.mergedAt = now;
      issue.state = 'closed';
    }
    if (update.state !== undefined) issue.state = update.state;
    issue.closedAt = issue.state === 'closed' ? (issue.closedAt ?? now) : null;
    issue.updatedAt = now;
    return issue;
  }

  addComment(repo: FakeRepo, issueNumber: number, spec: CommentSpec): FakeComment {
    const issue = repo.issues.get(issueNumber);
    if (issue === undefined) throw new Error(`addComment: ${fullName(repo)}#${issueNumber} does not exist`);
    const author = this.user(spec.author) ?? this.addUser({ login: spec.author });
    const now = this.now();
    const comment: FakeComment = {
      id: this.nextCommentId++,
      repo,
      issueNumber,
      author,
      authorAssociation: spec.authorAssociation ?? this.associationOf(repo, author),
      body: spec.body,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.set(comment.id, comment);
    issue.updatedAt = now;
    return comment;
  }

  comment(id: number): FakeComment | undefined {
    return this.comments.get(id);
  }

  editComment(id: number, body: string): FakeComment {
    const comment = this.comments.get(id);
    if (comment === undefined) throw new Error(`editComment: comment ${id} does not exist (deleted?)`);
    comment.body = body;
    comment.updatedAt = this.now();
    return comment;
  }

  deleteComment(id: number): void {
    if (!this.comments.delete(id)) throw new Error(`deleteComment: comment ${id} does not exist`);
    this.reactions.delete(id);
  }

  /** Comments of one issue, or of the whole repository, in ascending id order. */
  commentsOf(repo: FakeRepo, issueNumber?: number): FakeComment[] {
    return [...this.comments.values()].filter(
      (comment) =>
        comment.repo === repo && (issueNumber === undefined || comment.issueNumber === issueNumber),
    );
  }

  commentCount(repo: FakeRepo, issueNumber: number): number {
    return this.commentsOf(repo, issueNumber).length;
  }

  reactionsOf(commentId: number): FakeReaction[] {
    return [...(this.reactions.get(commentId) ?? [])];
  }

  /** GitHub keeps one reaction per user and content: a repeat returns the existing one. */
  react(
    commentId: number,
    login: string,
    content: ReactionContent,
  ): { reaction: FakeReaction; created: boolean } {
    const user = this.requireUser(login);
    const list = this.reactions.get(commentId) ?? [];
    const existing = list.find((r) => r.user.id === user.id && r.content === content);
    if (existing !== undefined) return { reaction: existing, created: false };
    const reaction: FakeReaction = {
      id: this.nextReactionId++,
      commentId,
      user,
      content,
      createdAt: this.now(),
    };
    list.push(reaction);
    this.reactions.set(commentId, list);
    return { reaction, created: true };
  }

  private insertIssue(repo: FakeRepo, spec: IssueSpec, pull: FakePull | null): FakeIssue {
    const number = spec.number ?? repo.nextNumber;
    if (repo.issues.has(number)) throw new Error(`${fullName(repo)}#${number} already exists`);
    const author = this.user(spec.author) ?? this.addUser({ login: spec.author });
    const now = this.now();
    const issue: FakeIssue = {
      id: this.nextIssueId++,
      number,
      title: spec.title ?? (pull === null ? `Issue ${number}` : `Pull request ${number}`),
      body: spec.body ?? null,
      author,
      authorAssociation: spec.authorAssociation ?? this.associationOf(repo, author),
      state: 'open',
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pull,
    };
    repo.issues.set(number, issue);
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    return issue;
  }
}

export function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

export function fullName(repo: FakeRepo): string {
  return `${repo.owner.login}/${repo.name}`;
}
