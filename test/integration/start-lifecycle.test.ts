import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { triggerCheck } from '../../workflows/index.js';
import { DATAFUSION_LIKE } from './test-config.js';

const dir = mkdtempSync(join(tmpdir(), 'benchbot-start-'));
const taskQueue = `start-test-${randomUUID()}`;
const configFile = join(dir, 'benchbot.yaml');
writeFileSync(
  configFile,
  `${DATAFUSION_LIKE}
dataDir: ${JSON.stringify(join(dir, 'data'))}
temporal: { port: 0, uiPort: 0, taskQueue: ${taskQueue} }
telemetry: { metricsAddress: null }
`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
}

/** `benchbot start` exactly as `npm start` runs it, as a real child process. */
function startBenchbot(): Running {
  const child = spawn(process.execPath, ['bin/benchbot.js', 'start'], {
    env: { ...process.env, BENCHBOT_CONFIG: configFile, BENCHBOT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          listeners.delete(check);
          resolve(m);
        } else if (child.exitCode !== null) {
          reject(new Error(`benchbot exited ${child.exitCode} before printing ${pattern}:\n${out}`));
        }
      };
      listeners.add(check);
      child.once('exit', check);
      check();
    });
  return { child, output: () => out, waitFor };
}

async function stopWithCtrlC(running: Running): Promise<void> {
  const exited = once(running.child, 'exit');
  running.child.kill('SIGINT');
  const [code] = await exited;
  expect(code, running.output()).toBe(0);
  expect(running.output()).toContain('stopped.');
}

describe('benchbot start (the embedded default)', () => {
  it('serves the Web UI and runs workflows, stops on Ctrl-C, and finds the same history on restart', async () => {
    const workflowId = `start-test-${randomUUID()}`;

    const first = startBenchbot();
    await first.waitFor(/ready\. Ctrl-C stops\./);
    const [, address] = await first.waitFor(/worker polling task queue \S+ on (\S+)/);
    const [, uiUrl] = await first.waitFor(/Temporal Web UI: (http\S+)/);
    expect((await fetch(uiUrl as string)).status).toBe(200);

    const connection = await Connection.connect({ address: address as string });
    try {
      const result = await new Client({ connection }).workflow.execute(triggerCheck, {
        taskQueue,
        workflowId,
        args: [{ repo: 'apache/datafusion', comment: 'run benchmark tpch' }],
      });
      expect(result).toMatchObject({ trigger: true, request: { benchmarks: ['tpch'] } });
    } finally {
      await connection.close();
    }
    await stopWithCtrlC(first);

    const second = startBenchbot();
    const [, secondAddress] = await second.waitFor(/worker polling task queue \S+ on (\S+)/);
    const again = await Connection.connect({ address: secondAddress as string });
    try {
      const description = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await again.close();
    }
    await stopWithCtrlC(second);
  });
});
