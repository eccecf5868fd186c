import { linkHeaders, paginate } from './pagination.js';
import { issueComment } from './payloads.js';
import {
  HttpError,
  notFound,
  numberParam,
  type Reply,
  type RouteContext,
  refuseLongBody,
  requireRepo,
  requireViewer,
  route,
  stringBodyField,
  timeParam,
} from './router.js';
import type { FakeComment, FakeRepo } from './state.js';

const DOCS = 'https://docs.github.com/rest/issues/comments';

export const commentRoutes = [
  route(
    'GET',
    '/repos/{owner}/{repo}/issues/comments',
    `${DOCS}#list-issue-comments-for-a-repository`,
    (ctx) => {
      const repo = requireRepo(ctx);
      const since = timeParam(ctx, 'since');
      const sort = ctx.url.searchParams.get('sort');
      let comments = ctx.state.commentsOf(repo).filter((c) => since === null || c.updatedAt >= since);
      // Ascending id by default; `direction` only applies together with `sort`.
      if (sort === 'created' || sort === 'updated') {
        const sign = ctx.url.searchParams.get('direction') === 'asc' ? 1 : -1;
        const key = (c: FakeComment): number => (sort === 'created' ? c.createdAt : c.updatedAt);
        comments = [...comments].sort((a, b) => sign * (key(a) - key(b) || a.id - b.id));
      }
      return listReply(ctx, repo, comments);
    },
  ),

  route(
    'GET',
    '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    `${DOCS}#get-an-issue-comment`,
    (ctx) => {
      const comment = requireComment(ctx);
      return {
        status: 200,
        body: issueComment(ctx.state, comment, ctx.urls),
        lastModified: comment.updatedAt,
      };
    },
  ),

  route(
    'PATCH',
    '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    `${DOCS}#update-an-issue-comment`,
    (ctx) => {
      const comment = requireComment(ctx);
      requireMayModify(ctx, comment);
      const body = stringBodyField(ctx, 'body');
      refuseLongBody(ctx, 'IssueComment', body);
      const updated = ctx.state.editComment(comment.id, body);
      return { status: 200, body: issueComment(ctx.state, updated, ctx.urls) };
    },
  ),

  route(
    'DELETE',
    '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    `${DOCS}#delete-an-issue-comment`,
    (ctx) => {
      const comment = requireComment(ctx);
      requireMayModify(ctx, comment);
      ctx.state.deleteComment(comment.id);
      return { status: 204 };
    },
  ),

  route(
    'GET',
    '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    `${DOCS}#list-issue-comments`,
    (ctx) => {
      const repo = requireRepo(ctx);
      const number = numberParam(ctx, 'issue_number');
      if (!repo.issues.has(number)) throw notFound(ctx);
      const since = timeParam(ctx, 'since');
      const comments = ctx.state
        .commentsOf(repo, number)
        .filter((c) => since === null || c.updatedAt >= since);
      return listReply(ctx, repo, comments);
    },
  ),

  route(
    'POST',
    '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    `${DOCS}#create-an-issue-comment`,
    (ctx) => {
      const viewer = requireViewer(ctx);
      const repo = requireRepo(ctx);
      const number = numberParam(ctx, 'issue_number');
      if (!repo.issues.has(number)) throw notFound(ctx);
      const body = stringBodyField(ctx, 'body');
      refuseLongBody(ctx, 'IssueComment', body);
      const comment = ctx.state.addComment(repo, number, { author: viewer.login, body });
      const payload = issueComment(ctx.state, comment, ctx.urls);
      return { status: 201, body: payload, headers: { location: payload.url } };
    },
  ),
];

export function requireComment(ctx: RouteContext): FakeComment {
  const repo = requireRepo(ctx);
  const comment = ctx.state.comment(numberParam(ctx, 'comment_id'));
  if (comment === undefined || comment.repo !== repo) throw notFound(ctx);
  return comment;
}

function requireMayModify(ctx: RouteContext, comment: FakeComment): void {
  const viewer = requireViewer(ctx);
  if (viewer.id === comment.author.id) return;
  const role = ctx.state.roleOf(comment.repo, viewer);
  if (role !== 'write' && role !== 'maintain' && role !== 'admin') {
    throw new HttpError(403, 'Must have admin rights to Repository.', ctx.docs);
  }
}

function listReply(ctx: RouteContext, repo: FakeRepo, comments: FakeComment[]): Reply {
  const page = paginate(comments, ctx.url, canonicalPath(ctx, repo));
  return {
    status: 200,
    body: page.items.map((c) => issueComment(ctx.state, c, ctx.urls)),
    headers: linkHeaders(page),
  };
}

/** GitHub's `link` URLs address a repository by id: `/repositories/{id}/...`. */
export function canonicalPath(ctx: RouteContext, repo: FakeRepo): string {
  return ctx.url.pathname.replace(/^\/repos\/[^/]+\/[^/]+/, `/repositories/${repo.id}`);
}
