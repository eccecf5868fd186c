import type { components } from '@octokit/openapi-types';
import type { FakeClock } from './clock.js';
import { templateRegex } from './faults.js';
import type { Urls } from './payloads.js';
import type { FakeRepo, FakeState, FakeUser } from './state.js';

export const DOCS = 'https://docs.github.com/rest';

export interface RouteContext {
  state: FakeState;
  clock: FakeClock;
  urls: Urls;
  method: string;
  /** The request URL on the fake's origin, with `/repositories/{id}` already rewritten to `/repos/{owner}/{repo}`. */
  url: URL;
  params: Record<string, string>;
  body: unknown;
  viewer: FakeUser | null;
  /** The route's documentation page, for error bodies. */
  docs: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Epoch ms of the resource's last change, for `last-modified` / `if-modified-since`. */
  lastModified?: number;
}

export interface Route {
  method: string;
  template: string;
  docs: string;
  /** Writes need a token: without one GitHub answers 401. */
  write: boolean;
  handler: (ctx: RouteContext) => Reply | Promise<Reply>;
  regex: RegExp;
  keys: string[];
}

export function route(method: string, template: string, docs: string, handler: Route['handler']): Route {
  return {
    method,
    template,
    docs,
    write: method !== 'GET' && method !== 'HEAD',
    handler,
    regex: templateRegex(template),
    keys: [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] ?? ''),
  };
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const m = candidate.regex.exec(path);
    if (m === null) continue;
    const params: Record<string, string> = {};
    candidate.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route: candidate, params };
  }
  return null;
}

/** A GitHub error response, thrown from handlers and turned into `{ message, documentation_url, status }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly docs: string = DOCS,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function errorBody(
  status: number,
  message: string,
  docs: string,
  extra: Record<string, unknown> = {},
): components['schemas']['basic-error'] & Record<string, unknown> {
  return { message, ...extra, documentation_url: docs, status: String(status) };
}

export function notFound(ctx: RouteContext): HttpError {
  return new HttpError(404, 'Not Found', ctx.docs);
}

export function validationFailed(ctx: RouteContext, errors: Record<string, unknown>[]): HttpError {
  return new HttpError(422, 'Validation Failed', ctx.docs, { errors });
}

export function requireRepo(ctx: RouteContext): FakeRepo {
  const repo = ctx.state.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (repo === undefined) throw notFound(ctx);
  const viewer = ctx.viewer;
  if (repo.visibility === 'private' && (viewer === null || ctx.state.roleOf(repo, viewer) === null)) {
    throw notFound(ctx);
  }
  return repo;
}

/** A path parameter that must be a positive integer; anything else is a 404, as on GitHub. */
export function numberParam(ctx: RouteContext, key: string): number {
  const raw = ctx.params[key] ?? '';
  if (!/^\d+$/.test(raw)) throw notFound(ctx);
  return Number(raw);
}

export function requireViewer(ctx: RouteContext): FakeUser {
  if (ctx.viewer === null) throw new HttpError(401, 'Requires authentication', ctx.docs);
  return ctx.viewer;
}

/** `since`/`until` query values: ISO 8601 timestamps, or a 422 naming the parameter. */
export function timeParam(ctx: RouteContext, key: string): number | null {
  const raw = ctx.url.searchParams.get(key);
  if (raw === null || raw === '') return null;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    throw validationFailed(ctx, [{ resource: 'Search', field: key, code: 'invalid', value: raw }]);
  }
  return ms;
}

/** GitHub's limit on the body of an issue or a comment, in characters. */
export const BODY_LIMIT = 65_536;

/** Refuses an issue's or a comment's body over GitHub's limit, as GitHub does. */
export function refuseLongBody(ctx: RouteContext, resource: string, body: unknown): void {
  if (typeof body !== 'string' || body.length <= BODY_LIMIT) return;
  throw validationFailed(ctx, [
    {
      resource,
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${BODY_LIMIT} characters)`,
    },
  ]);
}

export function stringBodyField(ctx: RouteContext, key: string): string {
  const body = ctx.body;
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string') {
    throw new HttpError(422, `Invalid request.\n\n"${key}" wasn't supplied.`, ctx.docs);
  }
  return value;
}
