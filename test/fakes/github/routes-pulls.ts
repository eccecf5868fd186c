import { issue, pullRequest } from './payloads.js';
import { notFound, numberParam, type RouteContext, requireRepo, route } from './router.js';
import type { FakeRepo, PullSide } from './state.js';

export const pullRoutes = [
  route(
    'GET',
    '/repos/{owner}/{repo}/issues/{issue_number}',
    'https://docs.github.com/rest/issues/issues#get-an-issue',
    (ctx) => {
      const repo = requireRepo(ctx);
      const found = repo.issues.get(numberParam(ctx, 'issue_number'));
      if (found === undefined) throw notFound(ctx);
      return { status: 200, body: issue(ctx.state, repo, found, ctx.urls), lastModified: found.updatedAt };
    },
  ),

  route(
    'GET',
    '/repos/{owner}/{repo}/pulls/{pull_number}',
    'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
    async (ctx) => {
      const repo = requireRepo(ctx);
      const found = repo.issues.get(numberParam(ctx, 'pull_number'));
      // Every pull request is an issue, but an issue that is not a pull request is not found here.
      if (found?.pull == null) throw notFound(ctx);
      const headSha = await resolveSide(ctx, repo, found.pull.head);
      const baseSha = await resolveSide(ctx, repo, found.pull.base);
      const commits = (await repo.commits.range(baseSha, headSha)).length;
      return {
        status: 200,
        body: pullRequest(ctx.state, repo, found, { headSha, baseSha, commits }, ctx.urls),
        lastModified: found.updatedAt,
      };
    },
  ),
];

async function resolveSide(ctx: RouteContext, repo: FakeRepo, side: PullSide): Promise<string> {
  if (side.sha !== null) return side.sha;
  const sha = await repo.commits.resolve(side.ref);
  if (sha === null)
    throw new Error(`fake GitHub: pull request ref "${side.ref}" no longer resolves in ${ctx.url.pathname}`);
  return sha;
}
