import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { type BenchbotConfig, findRepo } from '../../core/config/index.js';
import { webhookDecision } from '../../core/poller/github-comment.js';
import { requestSourceFor } from '../../core/poller/select.js';
import { SIGNAL } from '../../core/request/contract.js';
import { commentRequestId } from '../../core/request/ids.js';
import { activeRequestsOnPullRequest } from '../temporal/request-visibility.js';
import { startCommentRequest } from '../temporal/start-request.js';
import { utf8Body, verifySignature } from './signature.js';

/** GitHub caps webhook payloads at 25 MB, but an issue_comment (64 KiB of comment at most) is far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookServerOptions {
  port: number;
  /** Default 0.0.0.0: GitHub must reach it (directly, or through a proxy or tunnel). */
  host?: string;
  secret: string;
  client: Client;
  /** The main task queue, where BenchmarkRequests run. */
  taskQueue: string;
  config: BenchbotConfig;
  logger: Logger;
  /** benchbot's own login, whose comments are ignored; null when it cannot be known. */
  botLogin: () => Promise<string | null>;
}

export interface WebhookServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

class TooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Tells each open request on the pull request where its head is now: one that has not started ends
 * as superseded, a running one finishes and names the commit it measured.
 */
async function tellRequestsOfPush(
  options: WebhookServerOptions,
  push: { repo: string; pr: number; headSha: string },
  delivery: string | string[] | undefined,
): Promise<Reply> {
  try {
    const open = await activeRequestsOnPullRequest(options.client, push.repo, push.pr);
    const told: string[] = [];
    for (const { workflowId } of open) {
      // A request that ended meanwhile has nothing to be told.
      await options.client.workflow
        .getHandle(workflowId)
        .signal<[string]>(SIGNAL.pullRequestHead, push.headSha)
        .then(() => told.push(workflowId))
        .catch(() => undefined);
    }
    options.logger.info({ delivery, ...push, told }, 'pull request head moved');
    return { status: 202, body: { told } };
  } catch (err) {
    options.logger.warn({ err, ...push }, 'could not tell the requests of a push; their jobs check the head');
    return {
      status: 503,
      body: { error: 'could not reach Temporal; each job checks the head before it starts' },
    };
  }
}

/**
 * Receives `issue_comment` deliveries and starts the same BenchmarkRequest the poller would, with
 * the same id, so whichever of the two sees a comment first starts it and the other finds it
 * started. The start (one Temporal RPC) happens before the 202, so a delivery GitHub reports as
 * successful really started its request; when Temporal is unreachable the delivery fails (503)
 * and the poller catches the comment up.
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { logger } = options;
  const handle = async (req: IncomingMessage): Promise<Reply> => {
    if (req.method === 'GET' && req.url === '/healthz') return { status: 200, body: { ok: true } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'only POST deliveries are accepted' } };
    const text = utf8Body(await readBody(req));
    // GitHub signs UTF-8 JSON; no other body can be a delivery, signed or not.
    if (text === null || text === '') return { status: 400, body: { error: 'the body is not UTF-8 JSON' } };
    const signature = req.headers['x-hub-signature-256'];
    if (
      !(await verifySignature(options.secret, text, typeof signature === 'string' ? signature : undefined))
    ) {
      return { status: 401, body: { error: 'missing or wrong X-Hub-Signature-256' } };
    }
    const event = String(req.headers['x-github-event'] ?? '');
    if (event === 'ping') return { status: 200, body: { ok: true } };
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: 'the body is not JSON' } };
    }
    const decision = webhookDecision(event, payload);
    if (decision.kind === 'ignore') return { status: 202, body: { ignored: decision.reason } };
    const repo = findRepo(options.config, decision.repo);
    if (repo === null || !repo.watch) {
      return { status: 202, body: { ignored: `${decision.repo} is not a watched repository` } };
    }
    if (decision.kind === 'push') {
      if (repo.trigger.onPush === 'keep') return { status: 202, body: { ignored: 'trigger.onPush is keep' } };
      return tellRequestsOfPush(options, decision, req.headers['x-github-delivery']);
    }
    const candidate = requestSourceFor(repo.name, decision.comment, null);
    if (candidate === null) return { status: 202, body: { ignored: 'not a trigger on a pull request' } };
    const self = await options.botLogin().catch(() => null);
    const source = requestSourceFor(repo.name, decision.comment, self);
    if (source === null) return { status: 202, body: { ignored: "benchbot's own comment" } };
    const workflowId = commentRequestId(source.repo, source.commentId);
    try {
      const outcome = await startCommentRequest(options.client, options.taskQueue, source);
      logger.info(
        { delivery: req.headers['x-github-delivery'], workflowId, outcome },
        'benchmark request from a webhook',
      );
      return { status: 202, body: { outcome, workflowId } };
    } catch (err) {
      logger.warn({ err, workflowId }, 'webhook could not start the request; the poller will catch it up');
      return {
        status: 503,
        body: { error: 'could not start the request now; it will be picked up by polling' },
      };
    }
  };

  const respond = (res: ServerResponse, reply: Reply) => {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  };

  const server = createServer((req, res) => {
    handle(req).then(
      (reply) => respond(res, reply),
      (err: unknown) => {
        if (err instanceof TooLarge) {
          // Stop reading: the rest of an oversize body is not worth receiving.
          res.setHeader('connection', 'close');
          respond(res, { status: 413, body: { error: `bodies over ${MAX_BODY_BYTES} bytes are refused` } });
          return;
        }
        logger.error({ err }, 'webhook handler failed');
        respond(res, { status: 500, body: { error: 'internal error' } });
      },
    );
  });
  // A slow client cannot hold a connection open for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.listen(options.port, options.host ?? '0.0.0.0');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
