import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundlerLoggerFor, createLogger, logFormat } from '../../worker/logger.js';

function capture() {
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

describe('logs for people and for machines', () => {
  it('are readable lines at a terminal and JSON off it, unless BENCHBOT_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ BENCHBOT_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ BENCHBOT_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ BENCHBOT_LOG_FORMAT: 'yaml' }, true)).toThrow(/use json or pretty/);
  });

  it('print one readable line per event, with its fields, in the pretty format', () => {
    const out: string[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'pretty',
      destination: { write: (l: string) => out.push(l) },
    });
    logger.info({ workflowId: 'bench:acme/widgets:comment:7' }, 'worker polling');
    logger.debug('not shown at info');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: worker polling \{"workflowId":"bench:acme\/widgets:comment:7"\}\n$/,
    );
  });

  it("put webpack's bundle listing at debug and keep the bundle's one-line summary at info", async () => {
    const lines: { level: number; msg: string; source?: string }[] = [];
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../starter/heartbeat-shapes/workflow.ts', import.meta.url)),
      logger: bundlerLoggerFor(logger),
    });
    const info = lines.filter((l) => l.level === 30).map((l) => l.msg);
    expect(info).toEqual(['Workflow bundle created']);
    const listing = lines.find((l) => l.level === 20 && /webpack [\d.]+ compiled/.test(l.msg));
    expect(listing?.msg).toMatch(/heartbeat-shapes\/workflow\.ts/);
    expect(listing?.source).toBe('temporal-bundler');
  });
});
