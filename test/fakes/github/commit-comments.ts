import type { components } from '@octokit/openapi-types';
import { isoSeconds } from './clock.js';
import { linkHeaders, paginate } from './pagination.js';
import { nodeId, simpleUser, type Urls } from './payloads.js';
import {
  HttpError,
  notFound,
  numberParam,
  type Route,
  type RouteContext,
  refuseLongBody,
  requireRepo,
  requireViewer,
  route,
  stringBodyField,
} from './router.js';
import { canonicalPath } from './routes-comments.js';
import { type AuthorAssociation, type FakeRepo, type FakeUser, fullName } from './state.js';

// Comments on commits (not on issues or pull requests), as GitHub serves them: listed per commit
// in ascending id order, created only on a commit the repository has, edited by their author or
// anyone with write access. https://docs.github.com/rest/commits/comments

const DOCS = 'https://docs.github.com/rest/commits/comments';

export interface FakeCommitComment {
  id: number;
  repo: FakeRepo;
  commitId: string;
  author: FakeUser;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: number;
  updatedAt: number;
}

/** The commit comments of every repository; ids in their own space, as GitHub's are. */
export class CommitComments {
  private readonly byId = new Map<number, FakeCommitComment>();
  private nextId = 140_000_000;

  add(fields: Omit<FakeCommitComment, 'id' | 'updatedAt'>): FakeCommitComment {
    const comment = { ...fields, id: this.nextId++, updatedAt: fields.createdAt };
    this.byId.set(comment.id, comment);
    return comment;
  }

  get(repo: FakeRepo, id: number): FakeCommitComment | undefined {
    const found = this.byId.get(id);
    return found?.repo === repo ? found : undefined;
  }

  /** Of one commit, or of the whole repository, in ascending id order. */
  of(repo: FakeRepo, commitId?: string): FakeCommitComment[] {
    return [...this.byId.values()].filter(
      (c) => c.repo === repo && (commitId === undefined || c.commitId === commitId),
    );
  }
}

export function commitComment(c: FakeCommitComment, urls: Urls): components['schemas']['commit-comment'] {
  return {
    html_url: `${urls.html}/${fullName(c.repo)}/commit/${c.commitId}#commitcomment-${c.id}`,
    url: `${urls.api}/repos/${fullName(c.repo)}/comments/${c.id}`,
    id: c.id,
    node_id: nodeId('CommitComment', c.id),
    body: c.body,
    path: null,
    position: null,
    line: null,
    commit_id: c.commitId,
    user: simpleUser(c.author, urls),
    created_at: isoSeconds(c.createdAt),
    updated_at: isoSeconds(c.updatedAt),
    author_association: c.authorAssociation,
  };
}

async function requireCommit(ctx: RouteContext, repo: FakeRepo): Promise<string> {
  const ref = ctx.params.commit_sha ?? '';
  const sha = await repo.commits.resolve(ref);
  if (sha === null || (await repo.commits.get(sha)) === null) {
    throw new HttpError(422, `No commit found for SHA: ${ref}`, ctx.docs);
  }
  return sha;
}

/** Listed before the commit routes: `commits/{sha}/comments` is not a commit named `{sha}/comments`. */
export function commitCommentRoutes(comments: CommitComments): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/commits/{commit_sha}/comments',
      `${DOCS}#list-commit-comments`,
      async (ctx) => {
        const repo = requireRepo(ctx);
        const sha = await repo.commits.resolve(ctx.params.commit_sha ?? '');
        const page = paginate(sha === null ? [] : comments.of(repo, sha), ctx.url, canonicalPath(ctx, repo));
        return {
          status: 200,
          body: page.items.map((c) => commitComment(c, ctx.urls)),
          headers: linkHeaders(page),
        };
      },
    ),

    route(
      'POST',
      '/repos/{owner}/{repo}/commits/{commit_sha}/comments',
      `${DOCS}#create-a-commit-comment`,
      async (ctx) => {
        const viewer = requireViewer(ctx);
        const repo = requireRepo(ctx);
        const body = stringBodyField(ctx, 'body');
        refuseLongBody(ctx, 'CommitComment', body);
        const commitId = await requireCommit(ctx, repo);
        const created = comments.add({
          repo,
          commitId,
          author: viewer,
          authorAssociation: ctx.state.associationOf(repo, viewer),
          body,
          createdAt: ctx.state.now(),
        });
        const payload = commitComment(created, ctx.urls);
        return { status: 201, body: payload, headers: { location: payload.url } };
      },
    ),

    route('GET', '/repos/{owner}/{repo}/comments/{comment_id}', `${DOCS}#get-a-commit-comment`, (ctx) => {
      const repo = requireRepo(ctx);
      const found = comments.get(repo, numberParam(ctx, 'comment_id'));
      if (found === undefined) throw notFound(ctx);
      return { status: 200, body: commitComment(found, ctx.urls) };
    }),

    route(
      'PATCH',
      '/repos/{owner}/{repo}/comments/{comment_id}',
      `${DOCS}#update-a-commit-comment`,
      (ctx) => {
        const viewer = requireViewer(ctx);
        const repo = requireRepo(ctx);
        const found = comments.get(repo, numberParam(ctx, 'comment_id'));
        if (found === undefined) throw notFound(ctx);
        const role = ctx.state.roleOf(repo, viewer);
        if (viewer.id !== found.author.id && role !== 'write' && role !== 'maintain' && role !== 'admin') {
          throw new HttpError(403, 'Must have admin rights to Repository.', ctx.docs);
        }
        const body = stringBodyField(ctx, 'body');
        refuseLongBody(ctx, 'CommitComment', body);
        found.body = body;
        found.updatedAt = ctx.state.now();
        return { status: 200, body: commitComment(found, ctx.urls) };
      },
    ),
  ];
}
