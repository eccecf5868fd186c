import { type RateBudget, readRateBudget } from '../../core/poller/budget.js';
import { seenComment } from '../../core/poller/github-comment.js';
import type { SeenComment } from '../../core/poller/select.js';
import type { GitHubClient } from '../github/client.js';
import { httpStatus, ownerRepo } from '../github/repo-name.js';

export const PER_PAGE = 100;
/** A backlog larger than this is read over several cycles, each continuing from its cursor. */
export const MAX_PAGES_PER_CYCLE = 20;

export interface ResponseFacts {
  status: number;
  budget: RateBudget | null;
}

export interface Listing {
  /** null when GitHub answered 304: nothing changed since the ETag. */
  comments: SeenComment[] | null;
  /**
   * The ETag to send next time. Only a listing that fit in one page gets one: page 1 being
   * unchanged says nothing about page 2.
   */
  etag: string | null;
  /** True when MAX_PAGES_PER_CYCLE stopped the read before the last page. */
  truncated: boolean;
  responses: ResponseFacts[];
}

type Headers = Record<string, string | number | undefined>;

function nextLink(headers: Headers): string | null {
  const link = headers.link;
  if (typeof link !== 'string') return null;
  return /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null;
}

function headersOf(err: unknown): Headers {
  if (typeof err !== 'object' || err === null || !('response' in err)) return {};
  const response = (err as { response?: { headers?: Headers } }).response;
  return response?.headers ?? {};
}

/**
 * Issue comments of a repository updated since `since`, oldest first, all pages. The first page
 * carries If-None-Match, so an idle repository costs one 304, which GitHub does not count against
 * the rate limit. `onResponse` sees every response (for the budget log and metrics) as it arrives,
 * failures included.
 */
export async function listCommentsSince(
  octokit: GitHubClient,
  repo: string,
  since: string,
  etag: string | null,
  onResponse: (facts: ResponseFacts) => void = () => {},
): Promise<Listing> {
  const responses: ResponseFacts[] = [];
  const record = (status: number, headers: Headers) => {
    const facts = { status, budget: readRateBudget(headers) };
    responses.push(facts);
    onResponse(facts);
  };
  let first: Awaited<ReturnType<typeof requestFirstPage>>;
  try {
    first = await requestFirstPage(octokit, repo, since, etag);
  } catch (err) {
    const status = httpStatus(err);
    if (status !== null) record(status, headersOf(err));
    if (status === 304) return { comments: null, etag, truncated: false, responses };
    throw err;
  }
  record(first.status, first.headers);
  const raw: unknown[] = [...first.data];
  let next = nextLink(first.headers);
  let pages = 1;
  while (next !== null && pages < MAX_PAGES_PER_CYCLE) {
    let page: Awaited<ReturnType<typeof requestPage>>;
    try {
      page = await requestPage(octokit, next);
    } catch (err) {
      const status = httpStatus(err);
      if (status !== null) record(status, headersOf(err));
      throw err;
    }
    record(page.status, page.headers);
    raw.push(...(Array.isArray(page.data) ? page.data : []));
    next = nextLink(page.headers);
    pages++;
  }
  const comments = raw.map(seenComment).filter((c): c is SeenComment => c !== null);
  const single = pages === 1 && next === null;
  const newEtag = typeof first.headers.etag === 'string' ? first.headers.etag : null;
  return { comments, etag: single ? newEtag : null, truncated: next !== null, responses };
}

function requestFirstPage(octokit: GitHubClient, repo: string, since: string, etag: string | null) {
  return octokit.request('GET /repos/{owner}/{repo}/issues/comments', {
    ...ownerRepo(repo),
    since,
    sort: 'updated',
    direction: 'asc',
    per_page: PER_PAGE,
    headers: etag === null ? {} : { 'if-none-match': etag },
  });
}

/** GitHub's `link` URLs are absolute and keep every query parameter; follow them as they are. */
function requestPage(octokit: GitHubClient, url: string) {
  return octokit.request({ method: 'GET', url });
}
