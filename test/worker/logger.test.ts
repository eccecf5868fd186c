import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../worker/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, lines };
}

describe('benchbot logs', () => {
  it('carry the workflow id, activity and attempt of the activity they are logged from', async () => {
    const { logger, lines } = capture();
    const env = new MockActivityEnvironment({
      activityType: 'publishStatus',
      attempt: 3,
      workflowExecution: { workflowId: 'bench:acme/widgets:comment:7', runId: 'run-1' },
    });
    // Logged from a callback of a shared client, as Octokit does, not through the activity's logger.
    const shared = (message: string) => logger.warn({ source: 'octokit' }, message);
    await env.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      shared('GitHub secondary rate limit hit');
    });
    logger.info('ready');

    expect(lines[0]).toMatchObject({
      msg: 'GitHub secondary rate limit hit',
      source: 'octokit',
      workflowId: 'bench:acme/widgets:comment:7',
      activityType: 'publishStatus',
      attempt: 3,
    });
    expect(lines[1]).toMatchObject({ msg: 'ready', service: 'benchbot' });
    expect(lines[1]).not.toHaveProperty('workflowId');
  });

  it('let a line name another workflow explicitly (the poller names the request it started)', async () => {
    const { logger, lines } = capture();
    const env = new MockActivityEnvironment({
      activityType: 'pollComments',
      workflowExecution: { workflowId: 'poller:acme/widgets', runId: 'run-2' },
    });
    await env.run(async () => {
      logger.info({ request: 'bench:acme/widgets:comment:9' }, 'benchmark request from a comment');
    });
    expect(lines[0]).toMatchObject({
      workflowId: 'poller:acme/widgets',
      request: 'bench:acme/widgets:comment:9',
    });
  });
});
