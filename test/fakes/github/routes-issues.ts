import { linkHeaders, paginate } from './pagination.js';
import { issue } from './payloads.js';
import {
  HttpError,
  notFound,
  numberParam,
  type RouteContext,
  refuseLongBody,
  requireRepo,
  requireViewer,
  route,
  timeParam,
  validationFailed,
} from './router.js';
import { canonicalPath } from './routes-comments.js';
import type { FakeIssue } from './state.js';

const DOCS = 'https://docs.github.com/rest/issues/issues';

// Issues as GitHub serves them: the list includes pull requests (each is an issue), defaults to
// open ones newest first, and only the author or someone with write access may edit.
export const issueRoutes = [
  route('GET', '/repos/{owner}/{repo}/issues', `${DOCS}#list-repository-issues`, (ctx) => {
    const repo = requireRepo(ctx);
    const params = ctx.url.searchParams;
    const state = params.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) {
      throw validationFailed(ctx, [{ resource: 'Issue', field: 'state', code: 'invalid', value: state }]);
    }
    const creator = params.get('creator')?.toLowerCase() ?? null;
    const since = timeParam(ctx, 'since');
    const sort = params.get('sort') ?? 'created';
    const sign = params.get('direction') === 'asc' ? 1 : -1;
    const key = (i: FakeIssue): number => (sort === 'updated' ? i.updatedAt : i.createdAt);
    const issues = [...repo.issues.values()]
      .filter(
        (i) =>
          (state === 'all' || i.state === state) &&
          (creator === null || i.author.login.toLowerCase() === creator) &&
          (since === null || i.updatedAt >= since),
      )
      .sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
    const page = paginate(issues, ctx.url, canonicalPath(ctx, repo));
    return {
      status: 200,
      body: page.items.map((i) => issue(ctx.state, repo, i, ctx.urls)),
      headers: linkHeaders(page),
    };
  }),

  route('POST', '/repos/{owner}/{repo}/issues', `${DOCS}#create-an-issue`, (ctx) => {
    const viewer = requireViewer(ctx);
    const repo = requireRepo(ctx);
    const fields = bodyFields(ctx);
    refuseLongBody(ctx, 'Issue', fields.body);
    if (typeof fields.title !== 'string' || fields.title === '') {
      throw validationFailed(ctx, [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
    }
    const created = ctx.state.openIssue(repo, {
      author: viewer.login,
      title: fields.title,
      ...(typeof fields.body === 'string' ? { body: fields.body } : {}),
    });
    const payload = issue(ctx.state, repo, created, ctx.urls);
    return { status: 201, body: payload, headers: { location: payload.url } };
  }),

  route('GET', '/repos/{owner}/{repo}/issues/{issue_number}', `${DOCS}#get-an-issue`, (ctx) => {
    const repo = requireRepo(ctx);
    const found = repo.issues.get(numberParam(ctx, 'issue_number'));
    if (found === undefined) throw notFound(ctx);
    return { status: 200, body: issue(ctx.state, repo, found, ctx.urls) };
  }),

  route('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', `${DOCS}#update-an-issue`, (ctx) => {
    const viewer = requireViewer(ctx);
    const repo = requireRepo(ctx);
    const found = repo.issues.get(numberParam(ctx, 'issue_number'));
    if (found === undefined) throw notFound(ctx);
    const role = ctx.state.roleOf(repo, viewer);
    if (viewer.id !== found.author.id && role !== 'write' && role !== 'maintain' && role !== 'admin') {
      throw new HttpError(403, 'Must have admin rights to Repository.', ctx.docs);
    }
    const fields = bodyFields(ctx);
    refuseLongBody(ctx, 'Issue', fields.body);
    if (fields.state !== undefined && fields.state !== 'open' && fields.state !== 'closed') {
      throw validationFailed(ctx, [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
    }
    const now = ctx.state.now();
    if (typeof fields.title === 'string') found.title = fields.title;
    if (typeof fields.body === 'string' || fields.body === null) found.body = fields.body;
    if (fields.state === 'open' || fields.state === 'closed') {
      found.state = fields.state;
      found.closedAt = fields.state === 'closed' ? (found.closedAt ?? now) : null;
    }
    found.updatedAt = now;
    return { status: 200, body: issue(ctx.state, repo, found, ctx.urls) };
  }),
];

function bodyFields(ctx: RouteContext): Record<string, unknown> {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'Problems parsing JSON', ctx.docs);
  }
  return body as Record<string, unknown>;
}
