import type { components } from '@octokit/openapi-types';
import type { CommitRecord } from './commits.js';
import { linkHeaders, paginate } from './pagination.js';
import { commit, comparison } from './payloads.js';
import { HttpError, notFound, type RouteContext, requireRepo, route, timeParam } from './router.js';
import { canonicalPath } from './routes-comments.js';

const DOCS = 'https://docs.github.com/rest/commits/commits';
/** Without `page`/`per_page`, compare lists at most this many commits, the newest last (documented). */
const UNPAGED_COMPARE_LIMIT = 250;

export const commitRoutes = [
  route('GET', '/repos/{owner}/{repo}/commits', `${DOCS}#list-commits`, async (ctx) => {
    const repo = requireRepo(ctx);
    const start = ctx.url.searchParams.get('sha') ?? repo.defaultBranch;
    const sha = await repo.commits.resolve(start);
    if (sha === null) {
      if (!ctx.url.searchParams.has('sha')) throw new HttpError(409, 'Git Repository is empty.', ctx.docs);
      throw notFound(ctx);
    }
    const since = timeParam(ctx, 'since');
    const until = timeParam(ctx, 'until');
    const commits = (await repo.commits.history(sha)).filter(
      (c) => (since === null || c.committer.date >= since) && (until === null || c.committer.date <= until),
    );
    const page = paginate(commits, ctx.url, canonicalPath(ctx, repo));
    return {
      status: 200,
      body: page.items.map((c) => commit(ctx.state, repo, c, ctx.urls)),
      headers: linkHeaders(page),
    };
  }),

  route('GET', '/repos/{owner}/{repo}/commits/{ref+}', `${DOCS}#get-a-commit`, async (ctx) => {
    const repo = requireRepo(ctx);
    const ref = ctx.params.ref ?? '';
    const sha = await repo.commits.resolve(ref);
    const found = sha === null ? null : await repo.commits.get(sha);
    if (found === null) throw new HttpError(422, `No commit found for SHA: ${ref}`, ctx.docs);
    // The fake keeps no trees, so a single commit reports no file changes.
    const body: components['schemas']['commit'] = {
      ...commit(ctx.state, repo, found, ctx.urls),
      stats: { additions: 0, deletions: 0, total: 0 },
      files: [],
    };
    return { status: 200, body, lastModified: found.committer.date };
  }),

  route('GET', '/repos/{owner}/{repo}/compare/{basehead+}', `${DOCS}#compare-two-commits`, async (ctx) => {
    const repo = requireRepo(ctx);
    const basehead = ctx.params.basehead ?? '';
    const [baseRef, headRef, ...rest] = basehead.split('...');
    if (baseRef === undefined || headRef === undefined || rest.length > 0) throw notFound(ctx);
    const base = await resolveCommit(ctx, stripOwner(baseRef, repo.owner.login));
    const head = await resolveCommit(ctx, stripOwner(headRef, repo.owner.login));
    const mergeBaseSha = await repo.commits.mergeBase(base.sha, head.sha);
    const mergeBase = mergeBaseSha === null ? null : await repo.commits.get(mergeBaseSha);
    if (mergeBase === null) {
      throw new HttpError(404, `No common ancestor between ${baseRef} and ${headRef}.`, ctx.docs);
    }
    const ahead = await repo.commits.range(base.sha, head.sha);
    const behind = await repo.commits.range(head.sha, base.sha);
    const paged = ctx.url.searchParams.has('page') || ctx.url.searchParams.has('per_page');
    const page = paged
      ? paginate(ahead, ctx.url, canonicalPath(ctx, repo))
      : { items: ahead.slice(-UNPAGED_COMPARE_LIMIT), link: undefined };
    const body = comparison(
      ctx.state,
      repo,
      {
        basehead,
        base,
        head,
        mergeBase,
        aheadBy: ahead.length,
        behindBy: behind.length,
        commits: page.items,
      },
      ctx.urls,
    );
    return { status: 200, body, headers: linkHeaders(page) };

    async function resolveCommit(c: RouteContext, ref: string): Promise<CommitRecord> {
      const sha = await repo.commits.resolve(ref);
      const found = sha === null ? null : await repo.commits.get(sha);
      if (found === null) throw notFound(c);
      return found;
    }
  }),
];

/** `owner:branch` names a branch of a repository in the network; only this repository is faked. */
function stripOwner(ref: string, owner: string): string {
  const prefix = `${owner}:`;
  return ref.toLowerCase().startsWith(prefix.toLowerCase()) ? ref.slice(prefix.length) : ref;
}
