import { describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT } from '../../core/report/markdown.js';
import { authorizeByComment, permissionAtLeast, refusalMessage } from '../../core/request/authorization.js';
import { commentMarker, commentRequestId } from '../../core/request/ids.js';
import { queueRows, renderQueueMarkdown, renderQueueText } from '../../core/request/queue.js';
import {
  describeProgress,
  fenced,
  renderStatusComment,
  type StatusView,
} from '../../core/request/status-comment.js';
import { testConfig } from '../integration/test-config.js';

const policy = testConfig('version: 1\nrepos: [{ name: a/b, benchmarks: [{ name: x, command: "true" }] }]')
  .repos[0]?.trigger as Parameters<typeof authorizeByComment>[0];

describe('authorization', () => {
  it.each([
    ['OWNER', 'allowed'],
    ['MEMBER', 'allowed'],
    ['COLLABORATOR', 'allowed'],
    ['CONTRIBUTOR', 'denied'],
    ['NONE', 'denied'],
  ] as const)('association %s is %s by default', (association, expected) => {
    expect(authorizeByComment(policy, 'someone', association)).toBe(expected);
  });

  it('lets listed users in whatever their association, and asks the API when a permission is set', () => {
    expect(authorizeByComment({ ...policy, users: ['Dana'] }, 'dana', 'NONE')).toBe('allowed');
    expect(authorizeByComment({ ...policy, minPermission: 'write' }, 'erin', 'CONTRIBUTOR')).toBe(
      'check-permission',
    );
  });

  it('ranks permissions', () => {
    expect(permissionAtLeast('maintain', 'write')).toBe(true);
    expect(permissionAtLeast('triage', 'write')).toBe(false);
    expect(permissionAtLeast('none', 'read')).toBe(false);
  });

  it('refuses politely, naming who can trigger', () => {
    const text = refusalMessage({ ...policy, minPermission: 'write', users: ['dana'] }, 'mallory');
    expect(text).toContain('@mallory');
    expect(text).toContain(
      'owners, organization members, collaborators, people with write permission or more or @dana',
    );
  });
});

describe('ids and markers', () => {
  it('derives the workflow id from the comment, so a second sighting starts nothing', () => {
    expect(commentRequestId('Apache/DataFusion', 42)).toBe('bench:apache/datafusion:comment:42');
    expect(commentMarker('bench:a/b:comment:1')).toBe('<!-- benchbot:bench:a/b:comment:1 -->');
  });
});

const view: Omit<StatusView, 'state'> = {
  workflowUrl: 'http://ui/namespaces/default/workflows/bench%3Aa%2Fb%3Acomment%3A1',
  requester: 'alice',
  command: 'run benchmark tpch',
  baseline: { ref: null, label: 'merge base with `main`', sha: 'a'.repeat(40) },
  changed: { ref: 'feature', label: 'feature', sha: 'b'.repeat(40) },
};

describe('the status comment', () => {
  it('shows the state, queue position, refs, commits and the Web UI link', () => {
    const text = renderStatusComment({ ...view, state: 'queued', queuePosition: 3 });
    expect(text).toContain('### benchbot: ⏳ queued (position 3)');
    expect(text).toContain('| baseline | merge base with `main` | `aaaaaaaaaa` |');
    expect(text).toContain('| changed | `feature` | `bbbbbbbbbb` |');
    expect(text).toContain('[This request in the Temporal Web UI](http://ui/namespaces/default/workflows/');
  });

  it('shows progress while running', () => {
    const text = renderStatusComment({
      ...view,
      state: 'running',
      progress: {
        phase: 'run',
        benchmark: 'tpch',
        side: 'changed',
        round: 3,
        rounds: 5,
        done: 13,
        total: 22,
      },
    });
    expect(text).toContain('**Progress:** running tpch (changed): round 3/5 · step 14/22');
  });

  it('shows a failure with its side, step and log tail, in a fence the log cannot close', () => {
    const text = renderStatusComment({
      ...view,
      state: 'failed',
      failure: { step: 'build', side: 'changed', message: 'exited with code 101', logTail: 'error ``` here' },
    });
    expect(text).toContain('**Failed at the build step (changed side):** exited with code 101');
    expect(text).toContain('````text\nerror ``` here\n````');
  });

  it('names who cancelled', () => {
    expect(renderStatusComment({ ...view, state: 'cancelled', cancelledBy: 'bob' })).toContain(
      'Cancelled by @bob.',
    );
  });

  it('says a superseded request did not run, with the new head and the comment to post again', () => {
    const text = renderStatusComment({ ...view, state: 'superseded', headMovedTo: 'c'.repeat(40) });
    expect(text).toContain('### benchbot: ⏭️ superseded');
    expect(text).toContain(
      "**Superseded:** new commits moved the pull request's head to `cccccccccc` before this request started, so it did not run (`trigger.onPush: supersede`). To benchmark the new head, comment `run benchmark tpch` again.",
    );
  });

  it('names the commit a finished run measured when the head moved while it ran', () => {
    const moved = renderStatusComment({ ...view, state: 'done', headMovedTo: 'c'.repeat(40), report: 'R' });
    expect(moved).toContain(
      "Measured `bbbbbbbbbb`: the pull request's head moved to `cccccccccc` while this ran.",
    );
    const same = renderStatusComment({ ...view, state: 'done', headMovedTo: 'b'.repeat(40), report: 'R' });
    expect(same).not.toContain('moved');
  });

  it('describes each phase', () => {
    expect(describeProgress({ phase: 'clone', done: 0, total: 6 })).toBe('cloning the repository');
    expect(describeProgress({ phase: 'build', side: 'baseline', done: 0, total: 6 })).toBe(
      'building (baseline)',
    );
    expect(
      describeProgress({ phase: 'profile', benchmark: 'tpch', side: 'changed', done: 5, total: 6 }),
    ).toBe('profiling tpch (changed), not timed · step 6/6');
    expect(describeProgress({ phase: 'done', done: 6, total: 6 })).toBe('finished 6 benchmarks');
    expect(fenced('plain')).toBe('```text\nplain\n```');
  });
});

describe('the queue', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const entry = (id: string, state: string, minutesAgo: number) => ({
    workflowId: id,
    repo: 'a/b',
    pr: 7,
    benchmarks: ['tpch'],
    requester: 'alice',
    state,
    requestedAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
  });

  it('puts running requests first, then waiting ones by age, with expected starts from recent runs', () => {
    const rows = queueRows(
      [
        entry('w2', 'queued', 5),
        entry('r1', 'running', 30),
        entry('w1', 'queued', 10),
        entry('w3', 'queued', 1),
      ],
      now,
      [600, 1200, 900],
      1,
    );
    expect(rows.map((r) => [r.workflowId, r.position, r.expectedStartSeconds])).toEqual([
      ['r1', 0, 0],
      ['w1', 1, 900],
      ['w2', 2, 1800],
      ['w3', 3, 2700],
    ]);
    expect(rows[1]?.waitedSeconds).toBe(600);
  });

  it('says when no run tells how long runs take, and renders for GitHub and the terminal', () => {
    const rows = queueRows([entry('w1', 'queued', 2)], now, [], 2);
    expect(rows[0]?.expectedStartSeconds).toBe(0);
    expect(renderQueueMarkdown(rows)).toContain(
      '| 1 | a/b | #7 | tpch | @alice | queued | 2 min | in ~0 s |',
    );
    expect(renderQueueText(rows).split('\n')[0]).toMatch(/^position\s+repository\s+PR/);
    expect(renderQueueMarkdown([])).toContain('empty');
  });

  it.each([
    // Rows of about 134 characters: the first 445 fit in the budget, the rest are counted in one line.
    { queued: 400, shown: 400 },
    { queued: 1000, shown: 445 },
  ])('keeps the reply to $queued requests within a GitHub comment', ({ queued, shown }) => {
    const entries = Array.from({ length: queued }, (_, i) => ({
      ...entry(`w${i}`, i < 2 ? 'running' : 'queued', queued - i),
      repo: 'apache/datafusion-comet',
      pr: 10_000 + i,
      benchmarks: ['clickbench_partitioned', 'tpch_mem'],
      requester: `contributor-${i}`,
    }));
    const markdown = renderQueueMarkdown(queueRows(entries, now, [600], 4));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain(`2 running, ${queued - 2} waiting.`);
    const tableRows = markdown.split('\n').filter((line) => /^\| (\d+|running) \|/.test(line));
    expect(tableRows).toHaveLength(shown);
    expect(tableRows.at(-1)).toMatch(new RegExp(`^\\| ${shown - 2} \\|`));
    if (shown < queued) {
      expect(
        markdown.endsWith(
          `\n\n…and ${queued - shown} more requests, too many for one comment: \`benchbot queue\` lists them all.`,
        ),
      ).toBe(true);
    } else {
      expect(markdown).not.toContain('more request');
    }
  });
});
