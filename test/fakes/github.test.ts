import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './github/index.js';

const BOT_TOKEN = 'ghs_benchbot';
const MAINTAINER_TOKEN = 'ghp_maintainer';
const REPO = { owner: 'acme', repo: 'engine' };

let fake: FakeGitHub;
let bot: Octokit;

beforeEach(async () => {
  fake = await startFakeGitHub({
    users: [
      { login: 'benchbot[bot]', token: BOT_TOKEN },
      { login: 'maintainer', token: MAINTAINER_TOKEN, email: 'maintainer@acme.test' },
      { login: 'stranger' },
    ],
    clock: { start: '2025-01-01T00:00:00Z', frozen: true },
  });
  fake.createRepo({ owner: 'acme', name: 'engine' });
  fake.setPermission('acme/engine', 'maintainer', 'maintain');
  bot = client(BOT_TOKEN);
});

afterEach(async () => {
  await fake.stop();
});

function client(token?: string): Octokit {
  return new Octokit({ baseUrl: fake.url, ...(token === undefined ? {} : { auth: token }), log: silentLog });
}

const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface Failure {
  status: number;
  response?: { headers: Record<string, string | undefined>; data: unknown };
}

/** The error an Octokit call rejects with; fails the test when the call succeeds. */
async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'status' in error) return error as Failure;
    throw error;
  }
  throw new Error('expected the request to fail');
}

function issueWithComments(count: number): number {
  const number = fake.openIssue('acme/engine', { author: 'stranger', title: 'slow queries' });
  for (let i = 0; i < count; i++)
    fake.addComment('acme/engine', number, { author: 'stranger', body: `c${i}` });
  return number;
}

function emptyCommits(): { main: string[]; feature: string[] } {
  const a = fake.addCommit('acme/engine', { branch: 'main', message: 'A' }).sha;
  fake.clock.advance(1000);
  const b = fake.addCommit('acme/engine', { branch: 'main', message: 'B' }).sha;
  fake.clock.advance(1000);
  const c = fake.addCommit('acme/engine', { branch: 'main', message: 'C' }).sha;
  fake.clock.advance(1000);
  const d = fake.addCommit('acme/engine', { parents: [b], branch: 'feature', message: 'D' }).sha;
  fake.clock.advance(1000);
  const e = fake.addCommit('acme/engine', { branch: 'feature', message: 'E' }).sha;
  return { main: [a, b, c], feature: [d, e] };
}

describe('pagination', () => {
  it('pages 250 comments with GitHub-formatted Link headers that octokit.paginate follows', async () => {
    const number = issueWithComments(250);
    const all = await bot.paginate(bot.rest.issues.listComments, {
      ...REPO,
      issue_number: number,
      per_page: 100,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    expect(
      fake.requestsMatching({ route: '/repos/{owner}/{repo}/issues/{issue_number}/comments' }),
    ).toHaveLength(3);

    // Like GitHub, link URLs address the repository by id.
    const base = `${fake.url}/repositories/${fake.state.repo('acme', 'engine')?.id}/issues/${number}/comments`;
    const first = await bot.rest.issues.listComments({ ...REPO, issue_number: number, per_page: 100 });
    expect(first.headers.link).toBe(
      `<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`,
    );
    const middle = await bot.rest.issues.listComments({
      ...REPO,
      issue_number: number,
      per_page: 100,
      page: 2,
    });
    expect(middle.headers.link).toBe(
      `<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", ` +
        `<${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`,
    );
    const last = await bot.rest.issues.listComments({
      ...REPO,
      issue_number: number,
      per_page: 100,
      page: 3,
    });
    expect(last.data).toHaveLength(50);
    expect(last.headers.link).toBe(
      `<${base}?per_page=100&page=2>; rel="prev", <${base}?per_page=100&page=1>; rel="first"`,
    );
  });

  it.each([
    { perPage: undefined, expected: 30 },
    { perPage: 5, expected: 5 },
    { perPage: 500, expected: 100 },
  ])('per_page $perPage gives $expected items', async ({ perPage, expected }) => {
    const number = issueWithComments(120);
    const page = await bot.rest.issues.listComments({ ...REPO, issue_number: number, per_page: perPage });
    expect(page.data).toHaveLength(expected);
  });

  it('sends no Link header when everything fits on one page', async () => {
    const number = issueWithComments(3);
    const page = await bot.rest.issues.listComments({ ...REPO, issue_number: number });
    expect(page.headers.link).toBeUndefined();
  });
});

describe('conditional requests and the primary rate limit', () => {
  it('answers a matching If-None-Match with 304, not counted against the limit', async () => {
    const number = issueWithComments(2);
    const first = await bot.rest.issues.listComments({ ...REPO, issue_number: number });
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const remaining = first.headers['x-ratelimit-remaining'];
    expect(remaining).toBe('4999');

    const notModified = await failure(
      bot.rest.issues.listComments({
        ...REPO,
        issue_number: number,
        headers: { 'if-none-match': first.headers.etag },
      }),
    );
    expect(notModified.status).toBe(304);
    expect(notModified.response?.headers['x-ratelimit-remaining']).toBe(remaining);
    expect(fake.rateLimit('benchbot[bot]').used).toBe(1);
    expect(fake.requestsMatching({ status: 304 })).toMatchObject([{ counted: false }]);

    fake.addComment('acme/engine', number, { author: 'stranger', body: 'new' });
    const changed = await bot.rest.issues.listComments({
      ...REPO,
      issue_number: number,
      headers: { 'if-none-match': first.headers.etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.data).toHaveLength(3);
    expect(changed.headers['x-ratelimit-used']).toBe('2');

    const [comment] = fake.comments('acme/engine', number);
    const single = await bot.rest.issues.getComment({ ...REPO, comment_id: comment?.id ?? 0 });
    expect(single.headers['last-modified']).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    const unchanged = await failure(
      bot.rest.issues.getComment({
        ...REPO,
        comment_id: comment?.id ?? 0,
        headers: { 'if-modified-since': single.headers['last-modified'] },
      }),
    );
    expect(unchanged.status).toBe(304);
    expect(fake.requestsMatching({ counted: true })).toHaveLength(3);
  });

  it('sends the rate-limit and request-id headers on every response, errors included', async () => {
    const missing = await failure(bot.rest.issues.getComment({ ...REPO, comment_id: 1 }));
    const headers = missing.response?.headers ?? {};
    expect(headers).toMatchObject({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(Number(headers['x-ratelimit-reset'])).toBe(Date.parse('2025-01-01T01:00:00Z') / 1000);
    expect(headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(missing.response?.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
      status: '404',
    });
  });

  it.each([403, 429] as const)(
    'refuses with %i once the limit is used up, until the window resets',
    async (status) => {
      await fake.stop();
      fake = await startFakeGitHub({
        users: [{ login: 'benchbot[bot]', token: BOT_TOKEN }],
        rateLimit: { exceededStatus: status },
      });
      fake.createRepo({ owner: 'acme', name: 'engine' });
      const number = issueWithComments(1);
      bot = client(BOT_TOKEN);
      fake.setRateLimit('benchbot[bot]', { remaining: 1 });
      await bot.rest.issues.listComments({ ...REPO, issue_number: number });
      const refused = await failure(bot.rest.issues.listComments({ ...REPO, issue_number: number }));
      expect(refused.status).toBe(status);
      expect(refused.response?.headers['x-ratelimit-remaining']).toBe('0');
      expect(refused.response?.data).toMatchObject({
        message: expect.stringMatching(/^API rate limit exceeded for user ID \d+\.$/),
      });

      const rate = await bot.rest.rateLimit.get();
      expect(rate.data.resources.core.remaining).toBe(0);
      fake.clock.advance(3_600_000);
      const again = await bot.rest.issues.listComments({ ...REPO, issue_number: number });
      expect(again.headers['x-ratelimit-remaining']).toBe('4999');
    },
  );

  it('gives anonymous callers 60 requests an hour', async () => {
    const anonymous = client();
    const number = issueWithComments(1);
    const response = await anonymous.rest.issues.listComments({ ...REPO, issue_number: number });
    expect(response.headers['x-ratelimit-limit']).toBe('60');
    expect(response.headers['x-ratelimit-remaining']).toBe('59');
  });
});

describe('since and sort', () => {
  it('lists repository comments updated at or after since, sorted by updated', async () => {
    const issue = fake.openIssue('acme/engine', { author: 'stranger' });
    const pr = fake.openIssue('acme/engine', { author: 'stranger' });
    const old = fake.addComment('acme/engine', issue, { author: 'stranger', body: 'old' });
    fake.clock.advance(60_000);
    const since = new Date(fake.clock.now()).toISOString();
    const fresh = fake.addComment('acme/engine', pr, { author: 'maintainer', body: 'run benchmarks' });
    fake.clock.advance(60_000);
    const older = fake.addComment('acme/engine', issue, { author: 'stranger', body: 'older' });
    fake.clock.advance(60_000);
    fake.editComment(old.id, 'old, edited');

    const asc = await bot.rest.issues.listCommentsForRepo({
      ...REPO,
      since,
      sort: 'updated',
      direction: 'asc',
    });
    expect(asc.data.map((c) => c.id)).toEqual([fresh.id, older.id, old.id]);
    expect(asc.data.map((c) => c.updated_at)).toEqual([
      '2025-01-01T00:01:00Z',
      '2025-01-01T00:02:00Z',
      '2025-01-01T00:03:00Z',
    ]);
    const desc = await bot.rest.issues.listCommentsForRepo({
      ...REPO,
      since,
      sort: 'updated',
      direction: 'desc',
    });
    expect(desc.data.map((c) => c.id)).toEqual([old.id, older.id, fresh.id]);
    const byId = await bot.rest.issues.listCommentsForRepo({ ...REPO });
    expect(byId.data.map((c) => c.id)).toEqual([old.id, fresh.id, older.id]);
    expect(byId.data[1]).toMatchObject({
      author_association: 'COLLABORATOR',
      user: { login: 'maintainer', type: 'User' },
      issue_url: `${fake.url}/repos/acme/engine/issues/${pr}`,
    });
  });
});

describe('faults', () => {
  it('answers a scripted secondary rate limit with 403 and retry-after, then succeeds', async () => {
    const number = issueWithComments(0);
    fake.faults.next({
      status: 403,
      retryAfter: 2,
      match: { method: 'POST', pathPattern: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
    });
    await bot.rest.issues.listComments({ ...REPO, issue_number: number }); // not matched
    const limited = await failure(
      bot.rest.issues.createComment({ ...REPO, issue_number: number, body: 'queued' }),
    );
    expect(limited.status).toBe(403);
    expect(limited.response?.headers['retry-after']).toBe('2');
    expect(limited.response?.data).toMatchObject({
      message: expect.stringMatching(/^You have exceeded a secondary rate limit/),
    });
    const posted = await bot.rest.issues.createComment({ ...REPO, issue_number: number, body: 'queued' });
    expect(posted.status).toBe(201);
    expect(fake.comments('acme/engine', number)).toHaveLength(1);
    expect(fake.requestsMatching({ method: 'POST' }).map((r) => r.status)).toEqual([403, 201]);
  });

  it('fails the next request with a scripted 500, and only that one', async () => {
    const number = issueWithComments(1);
    fake.faults.next({ status: 500 });
    expect((await failure(bot.rest.issues.listComments({ ...REPO, issue_number: number }))).status).toBe(500);
    expect(fake.faults.pending()).toBe(0);
    expect((await bot.rest.issues.listComments({ ...REPO, issue_number: number })).status).toBe(200);
  });

  it('delays matching requests by the scripted latency', async () => {
    const number = issueWithComments(1);
    fake.faults.latency({ ms: 150, times: 1 });
    const started = performance.now();
    await bot.rest.issues.listComments({ ...REPO, issue_number: number });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('comments and reactions', () => {
  it('posts as the token owner and reacts 201 then 200 for the same reaction', async () => {
    const number = issueWithComments(0);
    const posted = await bot.rest.issues.createComment({
      ...REPO,
      issue_number: number,
      body: 'Benchmark queued',
    });
    expect(posted.data.user).toMatchObject({ login: 'benchbot[bot]', type: 'Bot' });
    expect(posted.headers.location).toBe(posted.data.url);

    const first = await bot.rest.reactions.createForIssueComment({
      ...REPO,
      comment_id: posted.data.id,
      content: 'eyes',
    });
    expect(first.status).toBe(201);
    const again = await bot.rest.reactions.createForIssueComment({
      ...REPO,
      comment_id: posted.data.id,
      content: 'eyes',
    });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(first.data.id);
    const listed = await bot.rest.reactions.listForIssueComment({ ...REPO, comment_id: posted.data.id });
    expect(listed.data.map((r) => [r.content, r.user?.login])).toEqual([['eyes', 'benchbot[bot]']]);
    const comment = await bot.rest.issues.getComment({ ...REPO, comment_id: posted.data.id });
    expect(comment.data.reactions).toMatchObject({ total_count: 1, eyes: 1 });

    const invalid = await failure(
      // An untyped request: the typed method would not let an invalid reaction through.
      bot.request({
        method: 'POST',
        url: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
        ...REPO,
        comment_id: posted.data.id,
        content: 'thumbsup',
      }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.response?.data).toMatchObject({ message: 'Validation Failed', status: '422' });
  });

  it('edits a comment, bumping updated_at, and 404s once it is deleted', async () => {
    const number = issueWithComments(0);
    const posted = await bot.rest.issues.createComment({ ...REPO, issue_number: number, body: 'Running' });
    fake.clock.advance(5_000);
    const edited = await bot.rest.issues.updateComment({ ...REPO, comment_id: posted.data.id, body: 'Done' });
    expect(edited.data.body).toBe('Done');
    expect(Date.parse(edited.data.updated_at) - Date.parse(edited.data.created_at)).toBe(5_000);

    const deleted = await bot.rest.issues.deleteComment({ ...REPO, comment_id: posted.data.id });
    expect(deleted.status).toBe(204);
    const gone = { ...REPO, comment_id: posted.data.id };
    for (const call of [
      () => bot.rest.issues.getComment(gone),
      () => bot.rest.issues.updateComment({ ...gone, body: 'x' }),
      () => bot.rest.issues.deleteComment(gone),
      () => bot.rest.reactions.createForIssueComment({ ...gone, content: '+1' }),
    ]) {
      expect((await failure(call())).status).toBe(404);
    }
  });

  it('refuses writes without credentials and any request with a bad token', async () => {
    const number = issueWithComments(1);
    const anonymous = await failure(
      client().rest.issues.createComment({ ...REPO, issue_number: number, body: 'x' }),
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.response?.data).toMatchObject({ message: 'Requires authentication' });
    const bad = await failure(client('nope').rest.issues.listComments({ ...REPO, issue_number: number }));
    expect(bad.status).toBe(401);
    expect(bad.response?.data).toMatchObject({ message: 'Bad credentials', status: '401' });
  });

  it("forbids editing someone else's comment without write access", async () => {
    const number = issueWithComments(1);
    const [theirs] = fake.comments('acme/engine', number);
    const refused = await failure(
      bot.rest.issues.updateComment({ ...REPO, comment_id: theirs?.id ?? 0, body: 'x' }),
    );
    expect(refused.status).toBe(403);
    const maintainer = client(MAINTAINER_TOKEN);
    await maintainer.rest.issues.updateComment({ ...REPO, comment_id: theirs?.id ?? 0, body: 'x' });
    expect(fake.comments('acme/engine', number)[0]?.body).toBe('x');
  });
});

describe('pull requests', () => {
  it('serves a PR with head/base refs and SHAs, and its issue with a pull_request key', async () => {
    const { main, feature } = emptyCommits();
    const number = await fake.openPullRequest('acme/engine', {
      author: 'maintainer',
      head: { ref: 'feature' },
      base: { ref: 'main' },
    });
    const pull = await bot.rest.pulls.get({ ...REPO, pull_number: number });
    expect(pull.data).toMatchObject({
      number,
      state: 'open',
      merged: false,
      commits: 2,
      head: { ref: 'feature', sha: feature[1], label: 'acme:feature' },
      base: { ref: 'main', sha: main[2] },
    });
    const issue = await bot.rest.issues.get({ ...REPO, issue_number: number });
    expect(issue.data.pull_request?.url).toBe(`${fake.url}/repos/acme/engine/pulls/${number}`);

    const plain = fake.openIssue('acme/engine', { author: 'stranger' });
    expect((await bot.rest.issues.get({ ...REPO, issue_number: plain })).data.pull_request).toBeUndefined();
    expect((await failure(bot.rest.pulls.get({ ...REPO, pull_number: plain }))).status).toBe(404);

    const pushed = fake.addCommit('acme/engine', { branch: 'feature', message: 'F' }).sha;
    expect((await bot.rest.pulls.get({ ...REPO, pull_number: number })).data.head.sha).toBe(pushed);
    fake.updatePullRequest('acme/engine', number, { merged: true });
    expect((await bot.rest.pulls.get({ ...REPO, pull_number: number })).data).toMatchObject({
      state: 'closed',
      merged: true,
    });
  });
});

describe('commits and compare on the in-memory graph', () => {
  it.each([
    {
      base: 'main',
      head: 'feature',
      status: 'diverged',
      ahead: 2,
      behind: 1,
      mergeBase: 'B',
      commits: ['D', 'E'],
    },
    {
      base: 'feature',
      head: 'main',
      status: 'diverged',
      ahead: 1,
      behind: 2,
      mergeBase: 'B',
      commits: ['C'],
    },
    { base: 'A', head: 'main', status: 'ahead', ahead: 2, behind: 0, mergeBase: 'A', commits: ['B', 'C'] },
    { base: 'main', head: 'A', status: 'behind', ahead: 0, behind: 2, mergeBase: 'A', commits: [] },
    { base: 'main', head: 'main', status: 'identical', ahead: 0, behind: 0, mergeBase: 'C', commits: [] },
  ])('$base...$head is $status', async ({ base, head, status, ahead, behind, mergeBase, commits }) => {
    const { main } = emptyCommits();
    const byName = (ref: string): string => (ref === 'A' ? (main[0] ?? '') : ref);
    const response = await bot.rest.repos.compareCommitsWithBasehead({
      ...REPO,
      basehead: `${byName(base)}...${byName(head)}`,
    });
    expect(response.data).toMatchObject({ status, ahead_by: ahead, behind_by: behind, total_commits: ahead });
    expect(response.data.merge_base_commit.commit.message).toBe(mergeBase);
    expect(response.data.commits.map((c) => c.commit.message)).toEqual(commits);
  });

  it('404s a compare of an unknown ref', async () => {
    emptyCommits();
    const missing = await failure(
      bot.rest.repos.compareCommitsWithBasehead({ ...REPO, basehead: 'main...nope' }),
    );
    expect(missing.status).toBe(404);
  });

  it('lists commits newest first with since, and gets one by branch, 422 for an unknown ref', async () => {
    const { main } = emptyCommits();
    const all = await bot.rest.repos.listCommits({ ...REPO });
    expect(all.data.map((c) => c.sha)).toEqual([...main].reverse());
    const recent = await bot.rest.repos.listCommits({ ...REPO, since: '2025-01-01T00:00:01Z', per_page: 1 });
    expect(recent.data.map((c) => c.commit.message)).toEqual(['C']);
    expect(recent.headers.link).toContain('rel="next"');
    const tip = await bot.rest.repos.getCommit({ ...REPO, ref: 'feature' });
    expect(tip.data.commit.message).toBe('E');
    expect(tip.data.parents).toHaveLength(1);
    const unknown = await failure(bot.rest.repos.getCommit({ ...REPO, ref: 'nope' }));
    expect(unknown.status).toBe(422);
    expect(unknown.response?.data).toMatchObject({ message: 'No commit found for SHA: nope' });
  });
});

describe('commit comments and single issues', () => {
  it('comments on a commit, lists its comments, edits them only as the author or a writer', async () => {
    const { main } = emptyCommits();
    const sha = main[1] as string;
    const created = await bot.rest.repos.createCommitComment({
      ...REPO,
      commit_sha: sha,
      body: 'trunk summary',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      commit_id: sha,
      body: 'trunk summary',
      user: { login: 'benchbot[bot]' },
      path: null,
      html_url: `https://github.com/acme/engine/commit/${sha}#commitcomment-${created.data.id}`,
    });
    expect(created.headers.location).toBe(created.data.url);
    const listed = await bot.rest.repos.listCommentsForCommit({ ...REPO, commit_sha: sha });
    expect(listed.data.map((c) => c.id)).toEqual([created.data.id]);
    expect(
      (await bot.rest.repos.listCommentsForCommit({ ...REPO, commit_sha: main[0] as string })).data,
    ).toEqual([]);
    const edited = await bot.rest.repos.updateCommitComment({
      ...REPO,
      comment_id: created.data.id,
      body: 'new',
    });
    expect(edited.data.body).toBe('new');
    expect(fake.commitCommentsOf('acme/engine', sha).map((c) => c.body)).toEqual(['new']);
    fake.addToken('stranger-token', 'stranger');
    const stranger = await failure(
      client('stranger-token').rest.repos.updateCommitComment({
        ...REPO,
        comment_id: created.data.id,
        body: 'x',
      }),
    );
    expect(stranger.status).toBe(403);
    const unknown = await failure(
      bot.rest.repos.createCommitComment({ ...REPO, commit_sha: 'f'.repeat(40), body: 'x' }),
    );
    expect(unknown.status).toBe(422);
    const anonymous = await failure(
      client().rest.repos.createCommitComment({ ...REPO, commit_sha: sha, body: 'x' }),
    );
    expect(anonymous.status).toBe(401);
  });

  it("refuses an issue or comment body over 65,536 characters with GitHub's 422, and takes one at the limit", async () => {
    const atLimit = 'x'.repeat(65_536);
    const over = `${atLimit}x`;
    const tooLong = {
      message: 'Validation Failed',
      errors: [
        expect.objectContaining({
          field: 'body',
          code: 'custom',
          message: 'body is too long (maximum is 65536 characters)',
        }),
      ],
    };
    const opened = await bot.rest.issues.create({ ...REPO, title: 'regression', body: atLimit });
    expect(opened.status).toBe(201);
    const refusedIssue = await failure(bot.rest.issues.create({ ...REPO, title: 'regression', body: over }));
    expect(refusedIssue.status).toBe(422);
    expect(refusedIssue.response?.data).toMatchObject({
      ...tooLong,
      errors: [expect.objectContaining({ resource: 'Issue' })],
    });
    const issue_number = opened.data.number;
    expect((await failure(bot.rest.issues.update({ ...REPO, issue_number, body: over }))).status).toBe(422);
    const comment = await bot.rest.issues.createComment({ ...REPO, issue_number, body: atLimit });
    expect(comment.status).toBe(201);
    const refusedComment = await failure(
      bot.rest.issues.createComment({ ...REPO, issue_number, body: over }),
    );
    expect(refusedComment.response?.data).toMatchObject({
      ...tooLong,
      errors: [expect.objectContaining({ resource: 'IssueComment' })],
    });
    expect(
      (await failure(bot.rest.issues.updateComment({ ...REPO, comment_id: comment.data.id, body: over })))
        .status,
    ).toBe(422);
    const sha = emptyCommits().main[0] as string;
    expect(
      (await failure(bot.rest.repos.createCommitComment({ ...REPO, commit_sha: sha, body: over }))).status,
    ).toBe(422);
  });

  it('gets one issue with its state, 404 for an unknown number', async () => {
    const number = fake.openIssue('acme/engine', { author: 'stranger', title: 'slow queries' });
    const got = await bot.rest.issues.get({ ...REPO, issue_number: number });
    expect(got.data).toMatchObject({ number, state: 'open', title: 'slow queries' });
    expect((await failure(bot.rest.issues.get({ ...REPO, issue_number: 999 }))).status).toBe(404);
  });
});

describe('a repository backed by a real git repository', () => {
  let dir: string;
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Maintainer',
        GIT_AUTHOR_EMAIL: 'maintainer@acme.test',
        GIT_COMMITTER_NAME: 'Maintainer',
        GIT_COMMITTER_EMAIL: 'maintainer@acme.test',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    }).trim();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-github-'));
    git('init', '--quiet', '--initial-branch=main');
    git('commit', '--quiet', '--allow-empty', '-m', 'root');
    git('commit', '--quiet', '--allow-empty', '-m', 'base');
    git('checkout', '--quiet', '-b', 'feature/fast-join');
    git('commit', '--quiet', '--allow-empty', '-m', 'faster join');
    git('commit', '--quiet', '--allow-empty', '-m', 'even faster join');
    git('checkout', '--quiet', 'main');
    git('commit', '--quiet', '--allow-empty', '-m', 'trunk moves on');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes merge base, commit lists and PR SHAs from git', async () => {
    fake.createRepo({ owner: 'acme', name: 'git-engine', gitPath: dir });
    const repo = { owner: 'acme', repo: 'git-engine' };
    const number = await fake.openPullRequest('acme/git-engine', {
      author: 'maintainer',
      head: { ref: 'feature/fast-join' },
      base: { ref: 'main' },
    });
    const pull = await bot.rest.pulls.get({ ...repo, pull_number: number });
    expect(pull.data.head.sha).toBe(git('rev-parse', 'feature/fast-join'));
    expect(pull.data.base.sha).toBe(git('rev-parse', 'main'));

    const compare = await bot.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${pull.data.base.sha}...${pull.data.head.sha}`,
    });
    expect(compare.data.merge_base_commit.sha).toBe(git('merge-base', 'main', 'feature/fast-join'));
    expect(compare.data).toMatchObject({ status: 'diverged', ahead_by: 2, behind_by: 1 });
    expect(compare.data.commits.map((c) => c.commit.message)).toEqual(['faster join', 'even faster join']);
    expect(compare.data.commits[0]?.author?.login).toBe('maintainer');

    const byBranch = await bot.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: 'main...feature/fast-join',
    });
    expect(byBranch.data.merge_base_commit.commit.message).toBe('base');
    const history = await bot.rest.repos.listCommits({ ...repo, sha: 'main' });
    expect(history.data.map((c) => c.commit.message)).toEqual(['trunk moves on', 'base', 'root']);
  });
});

describe('collaborator permission', () => {
  it.each([
    { login: 'acme', permission: 'admin', role: 'admin' },
    { login: 'maintainer', permission: 'write', role: 'maintain' },
    { login: 'stranger', permission: 'read', role: 'read' },
  ])('$login has $permission ($role)', async ({ login, permission, role }) => {
    const response = await bot.rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: login });
    expect(response.data).toMatchObject({ permission, role_name: role, user: { login } });
  });

  it('maps triage to read, reports none on a private repository and 404s an unknown user', async () => {
    fake.setPermission('acme/engine', 'stranger', 'triage');
    const triage = await bot.rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'stranger' });
    expect(triage.data).toMatchObject({ permission: 'read', role_name: 'triage' });
    fake.createRepo({ owner: 'acme', name: 'secret', visibility: 'private' });
    fake.setPermission('acme/secret', 'benchbot[bot]', 'write');
    const none = await bot.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'secret',
      username: 'maintainer',
    });
    expect(none.data).toMatchObject({ permission: 'none', role_name: 'none' });
    const missing = await failure(
      bot.rest.repos.getCollaboratorPermissionLevel({ ...REPO, username: 'ghost' }),
    );
    expect(missing.status).toBe(404);
  });
});
