import { describe, expect, it } from 'vitest';
import { planCommentRun, planManualRun, type RunTrigger } from '../../core/request/run-plan.js';
import type { CommentSource } from '../../core/request/types.js';
import { parseTrigger, type TriggerContext } from '../../core/trigger.js';

const CTX: TriggerContext = { allowedBenchmarks: ['tpch', 'clickbench_1'], defaultBenchmarks: ['tpch'] };

function commentOn(body: string): { source: CommentSource; request: RunTrigger } {
  const parsed = parseTrigger(body, CTX);
  if (!parsed.trigger || !('request' in parsed) || parsed.request.kind !== 'run') {
    throw new Error(`not a run trigger: ${body}`);
  }
  const source: CommentSource = {
    kind: 'comment',
    repo: 'apache/datafusion',
    pr: 42,
    commentId: 7001,
    requester: 'dana',
    association: 'MEMBER',
    body,
  };
  return { source, request: parsed.request };
}

describe('run plan', () => {
  it('plans a comment run on its pull request, following the head when no changed ref is named', () => {
    const { source, request } = commentOn(
      '\n  run benchmarks tpch clickbench_1  \nenv:\n  RUST_LOG: debug\n',
    );
    expect(planCommentRun(source, request)).toEqual({
      repo: 'apache/datafusion',
      requester: 'dana',
      benchmarks: ['tpch', 'clickbench_1'],
      command: 'run benchmarks tpch clickbench_1',
      reason: 'pr-comment',
      pullRequest: { number: 42, commentId: 7001 },
      sides: { in: 'pull-request', prNumber: 42, baseline: null, changed: null },
      env: { baseline: { RUST_LOG: 'debug' }, changed: { RUST_LOG: 'debug' } },
      followsHead: true,
    });
  });

  it('does not follow the head of a pull request when the changed ref is named', () => {
    const { source, request } = commentOn(
      'run benchmark tpch\nbaseline:\n  ref: v45.0.0\nchanged:\n  ref: v46.0.0',
    );
    const plan = planCommentRun(source, request);
    expect(plan.sides).toEqual({ in: 'pull-request', prNumber: 42, baseline: 'v45.0.0', changed: 'v46.0.0' });
    expect(plan.followsHead).toBe(false);
  });

  it('plans `benchbot run` in the repository itself, with no pull request to report to', () => {
    const plan = planManualRun({
      kind: 'manual',
      repo: 'acme/widgets',
      requester: 'local',
      benchmarks: ['parse', 'render'],
      baseline: { ref: 'main', env: {} },
      changed: { ref: 'feature', env: { GOGC: 'off' } },
    });
    expect(plan).toEqual({
      repo: 'acme/widgets',
      requester: 'local',
      benchmarks: ['parse', 'render'],
      command: 'benchbot run parse render',
      reason: 'manual',
      pullRequest: null,
      sides: { in: 'repository', baseline: 'main', changed: 'feature' },
      env: { baseline: {}, changed: { GOGC: 'off' } },
      followsHead: false,
    });
  });
});
