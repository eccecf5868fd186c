import { request } from 'node:http';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startWebhookServer, type WebhookServer } from '../../adapters/webhook/server.js';
import { utf8Body, verifySignature } from '../../adapters/webhook/signature.js';
import { parseConfig } from '../../core/config/index.js';
import { isTriggerLine } from '../../core/trigger.js';
import { signBody } from '../fakes/github/webhook-signature.js';
import { comment, SEED } from './arbitraries.js';

const SECRET = 'It is a secret to everybody';
const REPO = 'acme/widgets';

/** A delivery that starts a request when it is signed right: the control for "nothing started". */
function triggerEvent(commentId: number, body = 'run benchmarks'): Buffer {
  return Buffer.from(
    JSON.stringify({
      action: 'created',
      repository: { full_name: REPO },
      issue: { number: 7, pull_request: {} },
      comment: {
        id: commentId,
        body,
        user: { login: 'alice' },
        author_association: 'MEMBER',
        updated_at: '2024-01-01T00:00:00Z',
        html_url: `https://github.com/${REPO}/pull/7#issuecomment-${commentId}`,
        issue_url: `https://api.github.com/repos/${REPO}/issues/7`,
      },
    }),
  );
}

/** Ways to get `X-Hub-Signature-256` wrong for `body`. */
function badSignature(body: Buffer): fc.Arbitrary<string | null> {
  const good = signBody(SECRET, body);
  const hex = good.slice('sha256='.length);
  return fc.oneof(
    fc.constant(null),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256=${Buffer.from(b).toString('hex')}`),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => s !== SECRET)
      .map((secret) => signBody(secret, body)),
    fc.nat({ max: good.length - 1 }).map((n) => good.slice(0, n)),
    fc.constantFrom('sha1=', 'SHA256=', 'sha256:', 'sha512=', '', ' sha256=', 'sha256= ').map((p) => p + hex),
    fc.constantFrom(`${good} `, ` ${good}`, `${good}0`, `${good},${good}`, good.toUpperCase()),
    fc
      .array(fc.nat({ max: hex.length - 1 }), { minLength: 1, maxLength: 8 })
      .map((at) => `sha256=${[...hex].map((c, i) => (at.includes(i) ? c.toUpperCase() : c)).join('')}`)
      .filter((s) => s !== good),
    fc.nat({ max: body.length - 1 }).map((n) => signBody(SECRET, body.subarray(0, n))),
  );
}

describe('verifySignature', () => {
  // Deliveries are UTF-8 JSON: the server answers other bodies with 400 before any signature check.
  const body = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 });

  it('never throws, and accepts exactly the signature of the body with the secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.option(fc.string({ unit: 'binary', maxLength: 100 }), { nil: undefined }),
        async (b, header) => {
          expect(await verifySignature(SECRET, b, header)).toBe(header === signBody(SECRET, b));
          expect(await verifySignature(SECRET, b, signBody(SECRET, b))).toBe(true);
        },
      ),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it('refuses wrong secrets, truncated signatures, other prefixes, changed case and changed bodies', async () => {
    const event = fc.nat().map((id) => triggerEvent(id + 1));
    await fc.assert(
      fc.asyncProperty(
        event.chain((b) => fc.tuple(fc.constant(b), badSignature(b))),
        async ([b, signature]) => {
          expect(await verifySignature(SECRET, b.toString('utf8'), signature ?? undefined)).toBe(false);
        },
      ),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it('reads a body as text only when it is UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 256 }), (text) => {
        expect(utf8Body(Buffer.from(text, 'utf8'))).toBe(text);
      }),
      { numRuns: 1_000, seed: SEED },
    );
    for (const bytes of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x7b, 0x80, 0x7d]]) {
      expect(utf8Body(Buffer.from(bytes))).toBeNull();
    }
  });
});

describe('webhook server', () => {
  let server: WebhookServer;
  const started: unknown[] = [];
  // Records starts instead of talking to Temporal: what counts is that nothing starts.
  const client = {
    workflow: {
      start: async (...args: unknown[]) => {
        started.push(args);
        return {};
      },
    },
  } as unknown as Client;

  beforeAll(async () => {
    const parsed = parseConfig(
      `version: 1\nrepos:\n  - name: ${REPO}\n    benchmarks:\n      - { name: hot, command: "true", output: { format: wall-clock } }\n`,
      'benchbot.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    server = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      client,
      taskQueue: 'unused',
      config: parsed.config,
      logger: pino({ level: 'silent' }),
      botLogin: async () => 'benchbot[bot]',
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  function deliver(
    body: Buffer,
    signature: string | null,
    extraHeaders: Record<string, string> = {},
  ): Promise<number> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      ...extraHeaders,
    };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return new Promise((resolve, reject) => {
      const req = request(`${server.url}/`, { method: 'POST', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  // Header values must be ASCII without control characters to be sent at all, and HTTP drops the
  // whitespace around them, so a padded good signature arrives as the good signature.
  const sendable = (body: Buffer) => (signature: string | null) =>
    signature === null || (/^[\x20-\x7e]*$/.test(signature) && signature.trim() !== signBody(SECRET, body));

  it('starts a request for a correctly signed trigger (the control)', async () => {
    expect(await deliver(triggerEvent(1), signBody(SECRET, triggerEvent(1)))).toBe(202);
    expect(started).toHaveLength(1);
    started.length = 0;
  });

  it('answers any signed body without starting anything unless it is a trigger comment', async () => {
    const delivery = fc.oneof(
      fc
        .jsonValue({ maxDepth: 3 })
        .map((value) => ({ body: Buffer.from(JSON.stringify(value)), trigger: false })),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ body: Buffer.from(bytes), trigger: false })),
      fc
        .tuple(fc.nat(), comment)
        .map(([id, text]) => ({ body: triggerEvent(id + 100, text), trigger: isTriggerLine(text) })),
    );
    await fc.assert(
      fc.asyncProperty(delivery, async ({ body, trigger }) => {
        const before = started.length;
        const status = await deliver(body, signBody(SECRET, body));
        expect([202, 400]).toContain(status);
        expect(started.length - before).toBe(trigger ? 1 : 0);
      }),
      { numRuns: 150, seed: SEED },
    );
    started.length = 0;
  });

  it('refuses bad signatures with 401 and starts nothing', async () => {
    const body = triggerEvent(2);
    await fc.assert(
      fc.asyncProperty(badSignature(body).filter(sendable(body)), async (signature) => {
        expect(await deliver(body, signature)).toBe(401);
      }),
      { numRuns: 150, seed: SEED },
    );
    expect(started).toHaveLength(0);
  });

  it('refuses a truncated body with 401 (signed whole) or 400 (signed as cut), and starts nothing', async () => {
    const body = triggerEvent(3);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: body.length - 1 }), async (end) => {
        const cut = body.subarray(0, end);
        expect(await deliver(cut, signBody(SECRET, body))).toBe(401);
        expect(await deliver(cut, signBody(SECRET, cut))).toBe(400);
      }),
      { numRuns: 100, seed: SEED },
    );
    // Cut to nothing: no delivery at all, whatever the signature.
    expect(await deliver(Buffer.alloc(0), signBody(SECRET, body))).toBe(400);
    expect(started).toHaveLength(0);
  });

  it('refuses bodies declared or sent over the limit with 413, and starts nothing', async () => {
    const body = triggerEvent(4);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BODY_BYTES + 1, max: 2 ** 40 }), async (declared) => {
        const status = await deliver(body, signBody(SECRET, body), { 'content-length': String(declared) });
        expect(status).toBe(413);
      }),
      { numRuns: 30, seed: SEED },
    );
    for (const size of [MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 65_537]) {
      const huge = Buffer.alloc(size, ' ');
      body.copy(huge);
      expect(await deliver(huge, signBody(SECRET, huge))).toBe(413);
    }
    expect(started).toHaveLength(0);
  });
});
