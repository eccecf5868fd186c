export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** The `link` header value, absent when everything fits on one page. */
  link: string | undefined;
}

/**
 * Slices `items` by `page`/`per_page` the way GitHub does (default 30, at most 100) and builds the
 * `link` header in GitHub's order: prev, next, last, first — each an absolute URL that keeps the
 * request's other query parameters and sets `page`.
 */
export function paginate<T>(items: T[], requestUrl: URL, linkPath: string = requestUrl.pathname): Page<T> {
  const perPage = perPageOf(requestUrl.searchParams);
  const page = pageOf(requestUrl.searchParams);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (last === 1 && page === 1) return { items: slice, link: undefined };
  const href = (n: number): string => {
    const params = new URLSearchParams(requestUrl.searchParams);
    params.delete('page');
    params.append('page', String(n));
    return `${requestUrl.origin}${linkPath}?${params.toString()}`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${href(Math.min(page - 1, last))}>; rel="prev"`);
  if (page < last) links.push(`<${href(page + 1)}>; rel="next"`, `<${href(last)}>; rel="last"`);
  if (page > 1) links.push(`<${href(1)}>; rel="first"`);
  return { items: slice, link: links.length === 0 ? undefined : links.join(', ') };
}

export function perPageOf(params: URLSearchParams): number {
  const value = Number.parseInt(params.get('per_page') ?? '', 10);
  if (!Number.isFinite(value) || value < 1) return DEFAULT_PER_PAGE;
  return Math.min(value, MAX_PER_PAGE);
}

function pageOf(params: URLSearchParams): number {
  const value = Number.parseInt(params.get('page') ?? '', 10);
  return Number.isFinite(value) && value >= 1 ? value : 1;
}

export function linkHeaders(page: { link: string | undefined }): Record<string, string> {
  return page.link === undefined ? {} : { link: page.link };
}
