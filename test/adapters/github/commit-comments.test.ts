import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../adapters/github/client.js';
import { upsertCommitComment } from '../../../adapters/github/commit-comments.js';
import { formatConfigIssues, parseConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../worker/logger.js';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github/index.js';

// A trunk run's summary on its commit: one comment per run marker, however often the activity runs.

const TOKEN = 'ghs_benchbot';
const BOT = 'benchbot[bot]';
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: TOKEN },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'engine' });
});

afterAll(async () => {
  await fake?.stop();
});

function octokit(token: string) {
  const parsed = parseConfig(
    `version: 1\ngithub: { apiUrl: ${JSON.stringify(fake.url)} }\n`,
    'benchbot.yaml',
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  const logger = createLogger({ level: 'warn', format: 'json', destination: { write: () => undefined } });
  return createGitHubClient({
    config: parsed.config,
    env: { GITHUB_TOKEN: token },
    logger,
    retryAfterUnitMs: 1,
  });
}

describe('upsertCommitComment', () => {
  it('posts once, edits on a second call, and a failed post retried posts one comment', async () => {
    const sha = fake.addCommit('acme/engine', { branch: 'main', message: 'A' }).sha;
    const bot = octokit(TOKEN);
    // Someone else's comment quoting the marker is not ours.
    await octokit('alice-token').rest.repos.createCommitComment({
      owner: 'acme',
      repo: 'engine',
      commit_sha: sha,
      body: 'see <!-- m1 -->',
    });
    fake.faults.next({ status: 502, match: { method: 'POST', pathPattern: '/repos/acme/engine/commits/*' } });
    const comment = { repo: 'acme/engine', sha, marker: '<!-- m1 -->', body: '<!-- m1 -->\nfirst' };
    await expect(upsertCommitComment(bot, BOT, comment)).rejects.toMatchObject({ status: 502 });
    const first = await upsertCommitComment(bot, BOT, comment);
    expect(first.created).toBe(true);
    const again = await upsertCommitComment(bot, BOT, { ...comment, body: '<!-- m1 -->\nsecond' });
    expect(again).toEqual({ id: first.id, created: false });
    const ours = fake.commitCommentsOf('acme/engine', sha).filter((c) => c.author.login === BOT);
    expect(ours.map((c) => c.body)).toEqual(['<!-- m1 -->\nsecond']);
  });
});
