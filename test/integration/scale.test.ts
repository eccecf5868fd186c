import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { type FixtureRepo, makeFixtureRepo, PROJECT_ROOT } from '../runner/fixture-repo.js';
import { runnerPids } from '../support/runner-processes.js';
import {
  expectEverySampleKept,
  historyBytes,
  type SuiteSize,
  WIDE,
  WIDE_SCRIPT_DIR,
  wideBenchmark,
} from '../support/wide-suite.js';
import { testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

vi.setConfig({ testTimeout: 600_000 });

// Issue 21's test at scale on the local executor: `benchbot run` of a 200 x 100 x 5 suite, its
// runner killed in the middle of the rounds. One report, one recorded run, every sample kept, and
// a workflow history far below Temporal's limits (the results and checkpoints went by reference).

const REPO = 'acme/widgets';
const HISTORY_LIMIT = 200 * 1024;
// Every function of this one is slower: more significant rows than a GitHub comment holds, so the
// report is cut at its budget (activities/report-activities.ts), its largest whatever the suite.
const BUDGET_SUITE: SuiteSize = { functions: 1000, samples: 20, rounds: 3, slowerEvery: 1 };
const REPORT_BUDGET = 60_000;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-scale-'));
let fixture: FixtureRepo;

beforeAll(async () => {
  fixture = await makeFixtureRepo();
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

const configText = (taskQueue: string) => `
version: 1
dataDir: ${JSON.stringify(dataDir)}
temporal: { address: ${JSON.stringify(inject('temporalAddress'))}, taskQueue: ${taskQueue} }
telemetry: { metricsAddress: null, healthAddress: null }
executor: { local: { readOnlyPaths: [${JSON.stringify(WIDE_SCRIPT_DIR)}] } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - ${wideBenchmark()}
      - ${wideBenchmark('everything', BUDGET_SUITE)}
`;

/** Rounds of `wide` in the job's checkpoint file so far. */
async function roundsCheckpointed(workflowId: string): Promise<number> {
  const file = join(dataDir, 'work', workflowId.replace(/[^A-Za-z0-9._-]+/g, '_'), 'out', 'checkpoint.json');
  const text = await readFile(file, 'utf8').catch(() => '');
  const parsed = text ? (JSON.parse(text) as { benchmarks: { rounds: unknown[] }[] }) : { benchmarks: [] };
  return parsed.benchmarks[0]?.rounds.length ?? 0;
}

describe('a suite of 200 functions x 100 samples x 5 rounds', () => {
  it('through `benchbot run` on the local executor, its runner killed mid-way: one report, every sample kept, a small history', async () => {
    const taskQueue = `scale-${Date.now()}`;
    const config = testConfig(configText(taskQueue));
    await withWorker(config, async ({ client, taskQueue: queue }) => {
      const configFile = join(dataDir, 'benchbot.yaml');
      writeFileSync(configFile, configText(queue));
      const cli: ChildProcess = spawn(
        process.execPath,
        [
          'bin/benchbot.js',
          'run',
          '--repo',
          REPO,
          '--baseline',
          'main',
          '--changed',
          'slow',
          '--benchmark',
          'wide',
        ],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, BENCHBOT_CONFIG: configFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      cli.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      cli.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = once(cli, 'exit') as Promise<[number | null]>;

      const workflowId = await poll('the CLI to start the request', () => /started (\S+)/.exec(stdout)?.[1]);
      // Killed with two of its five rounds checkpointed: the retry measures the other three.
      await poll('two rounds to be checkpointed', async () => (await roundsCheckpointed(workflowId)) >= 2);
      const pids = await runnerPids(dataDir);
      expect(pids).toHaveLength(1);
      process.kill(pids[0] as number, 'SIGKILL');

      const [code] = await exited;
      expect(code, stderr).toBe(0);
      // The report has every function, each with its 5 x 100 samples a side.
      for (const name of ['F000', 'F199'])
        expect(stdout).toMatch(new RegExp(`\\| \`${name}\` \\|[^\\n]*\\| 500 / 500 \\|`));

      const handle = client.workflow.getHandle(workflowId);
      const bytes = await historyBytes(handle);
      console.log(`history of ${workflowId}: ${bytes} bytes`);
      expect(bytes).toBeLessThan(HISTORY_LIMIT);

      const store = await openResultsStore(config, process.env, { readonly: true });
      try {
        const runs = await store.listRuns({ repository: REPO, limit: 10 });
        expect(runs.map((r) => r.runId)).toEqual([workflowId]);
        expect(await expectEverySampleKept(store, workflowId)).toBe(
          WIDE.functions * WIDE.samples * WIDE.rounds * 2,
        );
      } finally {
        await store.close();
      }
    });
  });
});

describe('a report cut at its budget', () => {
  it('keeps the history under 200 KB and the largest report in the store', async () => {
    const taskQueue = `budget-${Date.now()}`;
    const config = testConfig(configText(taskQueue));
    await withWorker(config, async ({ client, taskQueue: queue }) => {
      const handle = await client.workflow.start(benchmarkRequest, {
        taskQueue: queue,
        workflowId: `bench:${REPO}:manual:budget-${Date.now()}`,
        args: [
          {
            source: {
              kind: 'manual',
              repo: REPO,
              requester: 'ci',
              benchmarks: ['everything'],
              baseline: { ref: 'main', env: {} },
              changed: { ref: 'slow', env: {} },
            },
          },
        ],
      });
      const outcome = await handle.result();
      expect(outcome.outcome).toBe('done');
      if (outcome.outcome !== 'done') return;
      expect(outcome.summary).toMatch(/^0 faster, 1000 slower/);
      // The report stays in the store: the outcome, and so the history, names it by run id only.
      expect(outcome).not.toHaveProperty('report');
      const store = await openResultsStore(config, process.env, { readonly: true });
      const report = (await store.runReport(outcome.runId).finally(() => store.close()))?.report ?? '';
      expect(report).toContain('Full table omitted (1000 rows)');
      expect(report.length).toBeLessThanOrEqual(REPORT_BUDGET);
      expect(report.length).toBeGreaterThan(REPORT_BUDGET - 1_000);
      const bytes = await historyBytes(handle);
      console.log(`history of ${handle.workflowId} (report of ${report.length} characters): ${bytes} bytes`);
      expect(bytes).toBeLessThan(HISTORY_LIMIT);
    });
  });
});

async function poll<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
) {
  for (let i = 0; i < 3000; i++) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
