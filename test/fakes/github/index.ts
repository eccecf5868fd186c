import { FakeClock } from './clock.js';
import { CommitComments, commitCommentRoutes, type FakeCommitComment } from './commit-comments.js';
import type { CommitRecord, NewCommit } from './commits.js';
import { Faults } from './faults.js';
import { PrimaryRateLimit, type RateLimitOptions, type RateLimitSnapshot } from './rate-limit.js';
import type { Route } from './router.js';
import { collaboratorRoutes } from './routes-collaborators.js';
import { commentRoutes } from './routes-comments.js';
import { commitRoutes } from './routes-commits.js';
import { issueRoutes } from './routes-issues.js';
import { pullRoutes } from './routes-pulls.js';
import { rateLimitRoutes } from './routes-rate-limit.js';
import { reactionRoutes } from './routes-reactions.js';
import { listen, type RequestRecord, type RunningServer } from './server.js';
import {
  type AuthorAssociation,
  type CommentSpec,
  FakeState,
  type FakeUser,
  fullName,
  type IssueSpec,
  type PullSpec,
  type PullUpdate,
  type ReactionContent,
  type RepoRole,
  type RepoSpec,
  type UserSpec,
} from './state.js';

export type { CommitRecord, NewCommit } from './commits.js';
export type { FaultMatch, FaultSpec, LatencySpec } from './faults.js';
export type { RateLimitOptions, RateLimitSnapshot } from './rate-limit.js';
export type { RequestRecord } from './server.js';
export type {
  AuthorAssociation,
  CommentSpec,
  FakeUser,
  IssueSpec,
  PullSpec,
  PullUpdate,
  ReactionContent,
  RepoRole,
  RepoSpec,
  UserSpec,
} from './state.js';

export interface FakeGitHubOptions {
  users?: UserSpec[];
  rateLimit?: RateLimitOptions;
  /** Real time by default; `start` shifts it, `frozen` stops it until advanced. */
  clock?: { start?: Date | string | number; frozen?: boolean };
  /** Origin of `html_url` fields; default https://github.com. */
  htmlOrigin?: string;
  port?: number;
}

/** What a test sees of a comment: plain values, safe to compare with `toEqual`. */
export interface CommentView {
  id: number;
  issueNumber: number;
  author: string;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: number;
  updatedAt: number;
}

export interface ReactionView {
  id: number;
  user: string;
  content: ReactionContent;
}

export interface RequestFilter {
  method?: string;
  /** A route template such as `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  route?: string;
  path?: string;
  status?: number;
  counted?: boolean;
}

/**
 * A GitHub REST API on 127.0.0.1 for tests: the endpoints benchbot uses, GitHub's status codes,
 * error bodies, rate-limit headers, ETags and Link pagination, plus a control API to arrange
 * repositories, pull requests and comments, script faults, move the clock and inspect requests.
 */
export class FakeGitHub {
  readonly clock: FakeClock;
  readonly state: FakeState;
  readonly faults = new Faults();
  readonly requests: RequestRecord[] = [];
  readonly commitComments = new CommitComments();
  private readonly limit: PrimaryRateLimit;
  private readonly routes: Route[];
  private running: RunningServer | null = null;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.clock = new FakeClock(options.clock);
    this.state = new FakeState(this.clock);
    this.limit = new PrimaryRateLimit(this.clock, options.rateLimit);
    // Literal segments before placeholders: `/issues/comments` must not be read as issue "comments".
    this.routes = [
      ...reactionRoutes,
      ...commentRoutes,
      ...issueRoutes,
      ...pullRoutes,
      ...commitCommentRoutes(this.commitComments),
      ...commitRoutes,
      ...collaboratorRoutes,
      ...rateLimitRoutes(this.limit),
    ];
    for (const user of options.users ?? []) this.state.addUser(user);
  }

  async start(): Promise<{ url: string; stop: () => Promise<void> }> {
    if (this.running !== null) throw new Error('FakeGitHub.start: already started; call stop() first');
    this.running = await listen(
      {
        state: this.state,
        clock: this.clock,
        limit: this.limit,
        faults: this.faults,
        routes: this.routes,
        htmlOrigin: this.options.htmlOrigin ?? 'https://github.com',
        log: this.requests,
      },
      this.options.port,
    );
    return { url: this.running.url, stop: () => this.stop() };
  }

  get url(): string {
    if (this.running === null) throw new Error('FakeGitHub.url: not started; await start() first');
    return this.running.url;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await running?.stop();
  }

  addUser(spec: UserSpec): FakeUser {
    return this.state.addUser(spec);
  }

  addToken(token: string, login: string): void {
    this.state.addToken(token, login);
  }

  createRepo(spec: RepoSpec): string {
    return fullName(this.state.createRepo(spec));
  }

  /** Adds a commit to an in-memory repository and returns it (its `sha` is what refs and PRs use). */
  addCommit(repo: string, spec: NewCommit = {}): CommitRecord {
    return this.graphOf(repo).add(spec);
  }

  setBranch(repo: string, name: string, sha: string): void {
    this.graphOf(repo).setBranch(name, sha);
  }

  setTag(repo: string, name: string, sha: string): void {
    this.graphOf(repo).setTag(name, sha);
  }

  /** Grants a role (`null` removes it); the repository owner is always admin. */
  setPermission(repo: string, login: string, role: RepoRole | null): void {
    this.state.setCollaborator(this.state.requireRepo(repo), login, role);
  }

  openIssue(repo: string, spec: IssueSpec): number {
    return this.state.openIssue(this.state.requireRepo(repo), spec).number;
  }

  async openPullRequest(repo: string, spec: PullSpec): Promise<number> {
    return (await this.state.openPullRequest(this.state.requireRepo(repo), spec)).number;
  }

  updatePullRequest(repo: string, number: number, update: PullUpdate): void {
    this.state.updatePullRequest(this.state.requireRepo(repo), number, update);
  }

  addComment(repo: string, issueNumber: number, spec: CommentSpec): CommentView {
    return commentView(this.state.addComment(this.state.requireRepo(repo), issueNumber, spec));
  }

  /** Edits as the author would: the body changes and `updated_at` moves to now. */
  editComment(id: number, body: string): CommentView {
    return commentView(this.state.editComment(id, body));
  }

  deleteComment(id: number): void {
    this.state.deleteComment(id);
  }

  comments(repo: string, issueNumber?: number): CommentView[] {
    return this.state.commentsOf(this.state.requireRepo(repo), issueNumber).map(commentView);
  }

  /** The comments on one commit (or on every commit) of a repository, oldest first. */
  commitCommentsOf(repo: string, sha?: string): FakeCommitComment[] {
    return this.commitComments.of(this.state.requireRepo(repo), sha);
  }

  addReaction(commentId: number, login: string, content: ReactionContent): ReactionView {
    return reactionView(this.state.react(commentId, login, content).reaction);
  }

  reactions(commentId: number): ReactionView[] {
    return this.state.reactionsOf(commentId).map(reactionView);
  }

  /** The primary limit of a user (by login) or, with `null`, of anonymous callers. */
  rateLimit(login: string | null): RateLimitSnapshot {
    return this.limit.snapshot(login?.toLowerCase() ?? null);
  }

  setRateLimit(login: string | null, change: { limit?: number; remaining?: number; used?: number }): void {
    this.limit.set(login?.toLowerCase() ?? null, change);
  }

  requestsMatching(filter: RequestFilter = {}): RequestRecord[] {
    return this.requests.filter(
      (r) =>
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.route === undefined || r.route?.endsWith(` ${filter.route}`) === true) &&
        (filter.path === undefined || r.path === filter.path) &&
        (filter.status === undefined || r.status === filter.status) &&
        (filter.counted === undefined || r.counted === filter.counted),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private graphOf(repo: string) {
    const found = this.state.requireRepo(repo);
    if (found.graph === null) {
      throw new Error(
        `${repo} reads its history from a git repository; commit there instead of calling addCommit`,
      );
    }
    return found.graph;
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(options);
  await fake.start();
  return fake;
}

function commentView(comment: {
  id: number;
  issueNumber: number;
  author: FakeUser;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: number;
  updatedAt: number;
}): CommentView {
  return {
    id: comment.id,
    issueNumber: comment.issueNumber,
    author: comment.author.login,
    authorAssociation: comment.authorAssociation,
    body: comment.body,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
  };
}

function reactionView(reaction: { id: number; user: FakeUser; content: ReactionContent }): ReactionView {
  return { id: reaction.id, user: reaction.user.login, content: reaction.content };
}
