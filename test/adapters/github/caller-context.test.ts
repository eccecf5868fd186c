import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../adapters/github/client.js';
import { formatConfigIssues, parseConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../worker/logger.js';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github/index.js';

// Octokit's throttling queues requests (at most 10 in flight per client); one that waited runs
// from the queue. Its log lines must still name the workflow whose activity made the request.

const TOKEN = 'ghs_benchbot';
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: 'benchbot[bot]', token: TOKEN }] });
  fake.createRepo({ owner: 'acme', name: 'engine' });
});

afterAll(async () => {
  await fake?.stop();
});

describe('GitHub requests from many activities at once', () => {
  it("log under their own activity's workflow id, also those that waited in Octokit's queue", async () => {
    const parsed = parseConfig(
      `version: 1\ngithub: { apiUrl: ${JSON.stringify(fake.url)} }\n`,
      'benchbot.yaml',
    );
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'json',
      destination: {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    const octokit = createGitHubClient({ config: parsed.config, env: { GITHUB_TOKEN: TOKEN }, logger });

    // Comments that do not exist: each request fails with a 404, which Octokit logs.
    const ids = Array.from({ length: 30 }, (_, i) => 900_000 + i);
    await Promise.all(
      ids.map((id) =>
        new MockActivityEnvironment({
          activityType: 'publishStatus',
          workflowExecution: { workflowId: `bench:acme/engine:comment:${id}`, runId: 'r' },
        }).run(() =>
          octokit.rest.issues.getComment({ owner: 'acme', repo: 'engine', comment_id: id }).catch(() => null),
        ),
      ),
    );

    const logged = lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('/issues/comments/'));
    expect(logged).toHaveLength(ids.length);
    for (const line of logged) {
      const id = /\/issues\/comments\/(\d+)/.exec(String(line.msg))?.[1];
      expect(line.workflowId, String(line.msg)).toBe(`bench:acme/engine:comment:${id}`);
    }
  });
});
