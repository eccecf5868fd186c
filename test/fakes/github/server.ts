import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeClock } from './clock.js';
import type { FaultSpec, Faults } from './faults.js';
import type { PrimaryRateLimit } from './rate-limit.js';
import { DOCS, errorBody, HttpError, matchRoute, type Reply, type Route } from './router.js';
import type { FakeState, FakeUser } from './state.js';

export interface RequestRecord {
  method: string;
  /** Request path, with `/repositories/{id}` rewritten to `/repos/{owner}/{repo}`. */
  path: string;
  query: string;
  /** The matched route template, e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`; null if none. */
  route: string | null;
  status: number;
  /** Whether this request used one unit of the primary rate limit. */
  counted: boolean;
  login: string | null;
  requestId: string;
  at: number;
}

export interface ServerDeps {
  state: FakeState;
  clock: FakeClock;
  limit: PrimaryRateLimit;
  faults: Faults;
  routes: readonly Route[];
  htmlOrigin: string;
  log: RequestRecord[];
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

export async function listen(deps: ServerDeps, port = 0): Promise<RunningServer> {
  let origin = '';
  const server = createServer((req, res) => {
    handle(deps, origin, req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify(errorBody(500, `fake GitHub crashed: ${String(error)}`, DOCS)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface Outcome {
  reply: Reply;
  route: Route | null;
  viewer: FakeUser | null;
  /** False for replies that must not count: 304s, `/rate_limit`, and refusals of an exhausted limit. */
  countable: boolean;
}

async function handle(
  deps: ServerDeps,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', origin);
  const rawBody = await readBody(req);
  const requestId = newRequestId();
  const path = canonicalRepoPath(deps.state, url.pathname);
  url.pathname = path;

  const delay = deps.faults.delayFor(method, path);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  const outcome = await respond(deps, { method, url, rawBody, requestId, req, origin });
  const identity = outcome.viewer?.login.toLowerCase() ?? null;
  let { reply } = outcome;
  if (reply.status === 200 && method === 'GET' && reply.body !== undefined) {
    reply = conditional(req, reply);
  }
  const counted = outcome.countable && reply.status !== 304;
  if (counted) deps.limit.consume(identity);

  const rate = deps.limit.snapshot(identity);
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': String(rate.remaining),
    'x-ratelimit-used': String(rate.used),
    'x-ratelimit-reset': String(rate.reset),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': requestId,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, Accept, X-Requested-With',
    ...reply.headers,
  };
  const text = reply.body === undefined || reply.status === 304 ? '' : JSON.stringify(reply.body);
  if (text.length > 0) headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(text);

  deps.log.push({
    method,
    path,
    query: url.search,
    route: outcome.route === null ? null : `${outcome.route.method} ${outcome.route.template}`,
    status: reply.status,
    counted,
    login: outcome.viewer?.login ?? null,
    requestId,
    at: deps.clock.now(),
  });
}

interface Incoming {
  method: string;
  url: URL;
  rawBody: string;
  requestId: string;
  req: IncomingMessage;
  origin: string;
}

async function respond(deps: ServerDeps, incoming: Incoming): Promise<Outcome> {
  const { method, url } = incoming;
  const matched = matchRoute(deps.routes, method, url.pathname);
  const route = matched?.route ?? null;

  const auth = authenticate(deps.state, incoming.req.headers.authorization);
  if (auth === 'bad') {
    return { reply: error(401, 'Bad credentials', DOCS), route, viewer: null, countable: true };
  }
  const viewer = auth;
  const identity = viewer?.login.toLowerCase() ?? null;
  const isRateLimitRoute = route?.template === '/rate_limit';

  if (!isRateLimitRoute && deps.limit.exhausted(identity)) {
    const who =
      viewer === null
        ? `${incoming.req.socket.remoteAddress ?? '127.0.0.1'}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`
        : `user ID ${viewer.id}.`;
    return {
      reply: error(deps.limit.exceededStatus, `API rate limit exceeded for ${who}`, RATE_LIMIT_DOCS),
      route,
      viewer,
      countable: false,
    };
  }

  const fault = deps.faults.take(method, url.pathname);
  if (fault !== null) return { reply: faultReply(fault, incoming.requestId), route, viewer, countable: true };

  if (matched === null) return { reply: error(404, 'Not Found', DOCS), route, viewer, countable: true };
  if (matched.route.write && viewer === null) {
    return {
      reply: error(401, 'Requires authentication', matched.route.docs),
      route,
      viewer,
      countable: true,
    };
  }

  let body: unknown;
  try {
    body = incoming.rawBody.length === 0 ? undefined : JSON.parse(incoming.rawBody);
  } catch {
    return { reply: error(400, 'Problems parsing JSON', matched.route.docs), route, viewer, countable: true };
  }

  try {
    const reply = await matched.route.handler({
      state: deps.state,
      clock: deps.clock,
      urls: { api: incoming.origin, html: deps.htmlOrigin },
      method,
      url,
      params: matched.params,
      body,
      viewer,
      docs: matched.route.docs,
    });
    return { reply, route, viewer, countable: !isRateLimitRoute };
  } catch (thrown) {
    if (!(thrown instanceof HttpError)) throw thrown;
    return {
      reply: error(thrown.status, thrown.message, thrown.docs, thrown.extra),
      route,
      viewer,
      countable: true,
    };
  }
}

function error(status: number, message: string, docs: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: errorBody(status, message, docs, extra) };
}

function faultReply(fault: FaultSpec, requestId: string): Reply {
  if (fault.status === 403 || fault.status === 429) {
    const reply = error(
      fault.status,
      `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
      `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
    );
    return fault.retryAfter === undefined
      ? reply
      : { ...reply, headers: { 'retry-after': String(fault.retryAfter) } };
  }
  const message =
    fault.status === 503 ? 'Service Unavailable' : fault.status === 502 ? 'Bad Gateway' : 'Server Error';
  return error(fault.status, message, DOCS);
}

/** A token (`token X` or `Bearer X`) maps to its user; an unknown or malformed one is refused. */
function authenticate(state: FakeState, header: string | undefined): FakeUser | null | 'bad' {
  if (header === undefined || header === '') return null;
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  const user = match?.[1] === undefined ? undefined : state.userForToken(match[1]);
  return user ?? 'bad';
}

/** A weak ETag over the body; a matching `if-none-match` (or unchanged `if-modified-since`) is a 304. */
function conditional(req: IncomingMessage, reply: Reply): Reply {
  const etag = `W/"${createHash('sha256').update(JSON.stringify(reply.body)).digest('hex')}"`;
  const headers: Record<string, string> = { ...reply.headers, etag };
  if (reply.lastModified !== undefined) headers['last-modified'] = new Date(reply.lastModified).toUTCString();
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    const bare = etag.replace(/^W\//, '');
    if (tags.includes('*') || tags.includes(bare)) return { status: 304, headers };
    return { ...reply, headers };
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince !== undefined && reply.lastModified !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since) && Math.floor(reply.lastModified / 1000) <= Math.floor(since / 1000)) {
      return { status: 304, headers };
    }
  }
  return { ...reply, headers };
}

/** Link headers address repositories by id; route those URLs to the named form. */
function canonicalRepoPath(state: FakeState, path: string): string {
  const match = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
  if (match === null) return path;
  const repo = state.repoById(Number(match[1]));
  return repo === undefined ? path : `/repos/${repo.owner.login}/${repo.name}${match[2] ?? ''}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function newRequestId(): string {
  const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(3)}:${hex(4)}:${hex(4)}:${hex(4)}`;
}
