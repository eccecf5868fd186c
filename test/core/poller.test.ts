import { describe, expect, it } from 'vitest';
import { nextPollDelaySeconds, type RateBudget, readRateBudget } from '../../core/poller/budget.js';
import { advanceCursor, CURSOR_OVERLAP_MS, type Cursor, sinceParam } from '../../core/poller/cursor.js';
import { seenComment, webhookDecision } from '../../core/poller/github-comment.js';
import { pollerWorkflowId } from '../../core/poller/ids.js';
import {
  isPullRequestCommentUrl,
  issueNumberFromUrl,
  requestSourceFor,
  type SeenComment,
} from '../../core/poller/select.js';
import {
  applyCycle,
  type CycleResult,
  formatPollerStatus,
  initialPollerState,
  pollerStatus,
} from '../../core/poller/state.js';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const REPO = 'acme/widgets';

function comment(overrides: Partial<SeenComment> = {}): SeenComment {
  return {
    id: 1,
    body: 'run benchmarks',
    author: 'alice',
    association: 'MEMBER',
    updatedAtMs: T0,
    issueNumber: 7,
    onPullRequest: true,
    ...overrides,
  };
}

describe('which comments start a request', () => {
  const cases: { name: string; comment: SeenComment; bot: string | null; starts: boolean }[] = [
    { name: 'a trigger on a pull request', comment: comment(), bot: 'benchbot[bot]', starts: true },
    {
      name: 'a trigger with options below it',
      comment: comment({ body: 'run benchmark tpch\nenv:\n  A: 1' }),
      bot: null,
      starts: true,
    },
    { name: 'a trigger on an issue', comment: comment({ onPullRequest: false }), bot: null, starts: false },
    {
      name: "benchbot's own comment",
      comment: comment({ author: 'BenchBot[bot]' }),
      bot: 'benchbot[bot]',
      starts: false,
    },
    {
      name: 'ordinary text',
      comment: comment({ body: 'looks good, please run benchmarks' }),
      bot: null,
      starts: false,
    },
    {
      name: 'a quoted trigger',
      comment: comment({ body: '> run benchmarks\nwhy?' }),
      bot: null,
      starts: false,
    },
    {
      name: 'a trigger in a code block',
      comment: comment({ body: '    run benchmarks' }),
      bot: null,
      starts: false,
    },
    { name: 'an empty body', comment: comment({ body: '' }), bot: null, starts: false },
  ];
  it.each(cases)('$name: starts=$starts', ({ comment: c, bot, starts }) => {
    const source = requestSourceFor(REPO, c, bot);
    expect(source !== null).toBe(starts);
    if (starts) {
      expect(source).toEqual({
        kind: 'comment',
        repo: REPO,
        pr: 7,
        commentId: 1,
        requester: c.author,
        association: 'MEMBER',
        body: c.body,
      });
    }
  });

  it.each([
    ['https://github.com/acme/widgets/pull/12#issuecomment-99', true],
    ['https://github.com/acme/widgets/issues/12#issuecomment-99', false],
    ['https://github.com/acme/pull/widgets/issues/12#issuecomment-99', false],
  ] as const)('%s is on a pull request: %s', (url, expected) => {
    expect(isPullRequestCommentUrl(url)).toBe(expected);
  });

  it('reads the issue number from issue_url', () => {
    expect(issueNumberFromUrl('https://api.github.com/repos/acme/widgets/issues/42')).toBe(42);
    expect(issueNumberFromUrl('https://api.github.com/repos/acme/widgets/pulls/42')).toBeNull();
  });
});

describe('the cursor', () => {
  const start: Cursor = { atMs: T0, seen: [] };
  const at = (id: number, seconds: number) => ({ id, updatedAtMs: T0 + seconds * 1000 });

  it('lists from one overlap before the cursor, since GitHub timestamps are whole seconds', () => {
    expect(sinceParam(start)).toBe(new Date(T0 - CURSOR_OVERLAP_MS).toISOString());
  });

  it('advances to the newest updated_at and remembers what it handled in the overlap window', () => {
    const { fresh, next } = advanceCursor(start, [at(1, 0), at(2, 3), at(3, 5), at(4, 5)]);
    expect(fresh.map((c) => c.id)).toEqual([1, 2, 3, 4]);
    expect(next.atMs).toBe(T0 + 5000);
    expect(next.seen).toEqual([`3@${T0 + 5000}`, `4@${T0 + 5000}`]);
  });

  it('does not hand a comment on twice when listings overlap, but a comment written in the same second is new', () => {
    const first = advanceCursor(start, [at(1, 5)]);
    const second = advanceCursor(first.next, [at(1, 5), at(2, 5)]);
    expect(second.fresh.map((c) => c.id)).toEqual([2]);
    const third = advanceCursor(second.next, [at(1, 5), at(2, 5)]);
    expect(third.fresh).toEqual([]);
    expect(third.next).toEqual(second.next);
  });

  it('treats an edit (a later updated_at) as new, and a duplicate within one listing once', () => {
    const first = advanceCursor(start, [at(1, 1)]);
    const edited = advanceCursor(first.next, [at(1, 1), at(1, 9), at(1, 9)]);
    expect(edited.fresh).toEqual([at(1, 9)]);
    expect(edited.next.seen).toEqual([`1@${T0 + 9000}`]);
  });

  it('never moves backwards on an empty or older listing', () => {
    const cursor: Cursor = { atMs: T0 + 10_000, seen: ['5@1'] };
    expect(advanceCursor(cursor, []).next.atMs).toBe(T0 + 10_000);
    expect(advanceCursor(cursor, [at(9, 9)]).next.atMs).toBe(T0 + 10_000);
  });
});

describe('the rate-limit budget', () => {
  it('reads GitHub headers (string values) and ignores incomplete ones', () => {
    expect(
      readRateBudget({
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4990',
        'x-ratelimit-used': '10',
        'x-ratelimit-reset': '1740830400',
      }),
    ).toEqual({ limit: 5000, remaining: 4990, used: 10, resetAtSeconds: 1740830400 });
    expect(readRateBudget({ 'x-ratelimit-limit': '5000' })).toBeNull();
  });

  const now = T0;
  const budget = (remaining: number, resetInSeconds = 1800): RateBudget => ({
    limit: 5000,
    remaining,
    used: 5000 - remaining,
    resetAtSeconds: now / 1000 + resetInSeconds,
  });
  const cases: { name: string; budget: RateBudget | null; expected: number }[] = [
    { name: 'unknown budget', budget: null, expected: 30 },
    { name: 'plenty left', budget: budget(4000), expected: 30 },
    { name: 'exactly 20% left', budget: budget(1000), expected: 30 },
    { name: '10% left: twice the interval', budget: budget(500), expected: 60 },
    { name: '2% left: ten times', budget: budget(100), expected: 300 },
    { name: 'almost none left: capped at the reset', budget: budget(1, 120), expected: 121 },
    { name: 'none left: wait for the reset', budget: budget(0, 600), expected: 601 },
    { name: 'none left and the reset passed: the interval', budget: budget(0, -5), expected: 30 },
  ];
  it.each(cases)('$name → $expected s', ({ budget: b, expected }) => {
    expect(nextPollDelaySeconds(30, b, now)).toBeCloseTo(expected, 6);
  });
});

describe('GitHub comment payloads', () => {
  const raw = {
    id: 1500000001,
    body: 'run benchmarks',
    user: { login: 'alice' },
    author_association: 'MEMBER',
    updated_at: '2025-03-01T12:00:05Z',
    html_url: 'https://github.com/acme/widgets/pull/3#issuecomment-1500000001',
    issue_url: 'https://api.github.com/repos/acme/widgets/issues/3',
  };

  it('reads a listed comment', () => {
    expect(seenComment(raw)).toEqual({
      id: 1500000001,
      body: 'run benchmarks',
      author: 'alice',
      association: 'MEMBER',
      updatedAtMs: T0 + 5000,
      issueNumber: 3,
      onPullRequest: true,
    });
    expect(seenComment({ ...raw, user: null })).toBeNull();
    expect(seenComment({ ...raw, issue_url: 'nope' })).toBeNull();
  });

  const event = (action: string) => ({ action, repository: { full_name: 'acme/widgets' }, comment: raw });
  it.each([
    ['issue_comment', event('created'), 'comment'],
    ['issue_comment', event('edited'), 'comment'],
    ['issue_comment', event('deleted'), 'ignore'],
    ['push', event('created'), 'ignore'],
    ['issue_comment', { action: 'created' }, 'ignore'],
  ] as const)('%s %j → %s', (name, payload, kind) => {
    expect(webhookDecision(name, payload).kind).toBe(kind);
  });
});

describe('the poller state', () => {
  const cycle = (counts: CycleResult['counts'], started = 0): CycleResult => ({
    cursor: { atMs: T0 + 1000, seen: [] },
    etag: 'W/"x"',
    counts,
    started,
    alreadyStarted: 0,
    budget: null,
    delaySeconds: 30,
  });

  it('adds up the hour and starts a new one on the hour', () => {
    let state = initialPollerState(REPO, T0 + 60_000);
    state = applyCycle(state, cycle({ requests: 2, counted: 2, notModified: 0 }, 1), T0 + 120_000).state;
    state = applyCycle(state, cycle({ requests: 1, counted: 0, notModified: 1 }), T0 + 180_000).state;
    expect(state.hour).toEqual({ hourStartMs: T0, requests: 3, counted: 2, notModified: 1 });
    const next = applyCycle(state, cycle({ requests: 1, counted: 0, notModified: 1 }), T0 + 3_600_000);
    expect(next.finishedHour).toEqual(state.hour);
    expect(next.state.hour).toEqual({ hourStartMs: T0 + 3_600_000, requests: 1, counted: 0, notModified: 1 });
    expect(next.state.totals).toEqual({ cycles: 3, started: 1, alreadyStarted: 0 });
    expect(next.state.etag).toBe('W/"x"');
  });

  it('shows a status line per poller', () => {
    const state = applyCycle(
      initialPollerState(REPO, T0),
      cycle({ requests: 1, counted: 0, notModified: 1 }),
      T0 + 2000,
    ).state;
    const text = formatPollerStatus(pollerStatus(state, 30, 30), T0 + 12_000);
    expect(text).toContain('acme/widgets: polling every 30 s');
    expect(text).toContain('last cycle 10 s ago');
    expect(text).toContain('1 requests, 0 counted, 1 not modified (304)');
  });

  it('names one poller per repository, whatever the case', () => {
    expect(pollerWorkflowId('Acme/Widgets')).toBe('poller:acme/widgets');
  });
});
