import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';

const dir = mkdtempSync(join(tmpdir(), 'benchbot-start-'));
const configFile = join(dir, 'benchbot.yaml');
let fixture: FixtureRepo;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  // A fixed port, so `benchbot run` finds the server `benchbot start` runs, as on a real machine.
  const port = await freePort();
  writeFileSync(
    configFile,
    `version: 1
dataDir: ${JSON.stringify(join(dir, 'data'))}
temporal: { port: ${port}, uiPort: 0 }
telemetry: { metricsAddress: null, healthAddress: null }
repos:
  - name: acme/widgets
    url: ${JSON.stringify(fixture.url)}
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: hot, command: "node dist/bench.js hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 12, warmups: 1 }
`,
  );
});

// A failed assertion must not leave a benchbot (and its Temporal server) running after the tests;
// SIGTERM, not SIGKILL, so that benchbot stops the server it started.
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
}

const benchbotEnv = () => ({ ...process.env, BENCHBOT_CONFIG: configFile, BENCHBOT_LOG_LEVEL: 'warn' });

/** `benchbot start` exactly as `npm start` runs it, as a real child process. */
function startBenchbot(): Running {
  const child = spawn(process.execPath, ['bin/benchbot.js', 'start'], {
    env: benchbotEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
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

describe('benchbot start (the embedded default) and benchbot run', () => {
  // Two starts of the whole stack, a request and two stops: past the default minute on a loaded machine.
  it('serves the Web UI, runs a request from `benchbot run`, stops on Ctrl-C, and keeps the history', async () => {
    const first = startBenchbot();
    await first.waitFor(/ready\. Ctrl-C stops\./);
    const [, address] = await first.waitFor(/worker polling task queue \S+ on (\S+)/);
    const [, uiUrl] = await first.waitFor(/Temporal Web UI: (http\S+)/);
    expect((await fetch(uiUrl as string)).status).toBe(200);

    const run = spawnSync(
      process.execPath,
      [
        'bin/benchbot.js',
        'run',
        '--repo',
        join(fixture.dir, 'project'),
        '--baseline',
        'main',
        '--changed',
        'slow',
      ],
      { env: benchbotEnv(), encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    // Progress comes from the job's heartbeats, which reach the server every few seconds.
    expect(run.stdout).toMatch(/\[benchbot\] (cloning the repository|building|running hot)/);
    expect(run.stdout).toMatch(/`Hot`[^\n]*slower/);
    const [, workflowId] = /started (\S+)/.exec(run.stdout) ?? [];
    await stopWithCtrlC(first);

    const second = startBenchbot();
    await second.waitFor(/ready\. Ctrl-C stops\./);
    const connection = await Connection.connect({ address: address as string });
    try {
      const description = await new Client({ connection }).workflow
        .getHandle(workflowId as string)
        .describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
    await stopWithCtrlC(second);
  }, 240_000);

  it('`benchbot run` follows its request across a restart of `benchbot start` and prints the report', async () => {
    const first = startBenchbot();
    await first.waitFor(/ready\. Ctrl-C stops\./);
    const run = spawn(
      process.execPath,
      [
        'bin/benchbot.js',
        'run',
        '--repo',
        join(fixture.dir, 'project'),
        '--baseline',
        'main',
        '--changed',
        'slow',
      ],
      { env: benchbotEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.push(run);
    let out = '';
    run.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    run.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = once(run, 'exit');
    // The job is under way when the machine's benchbot stops (and its Temporal server with it).
    while (!/\[benchbot\] (cloning the repository|building|running hot)/.test(out)) {
      expect(run.exitCode, out).toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopWithCtrlC(first);
    const second = startBenchbot();
    await second.waitFor(/ready\. Ctrl-C stops\./);
    const [code] = await exited;
    expect(code, out).toBe(0);
    expect(out).toMatch(/`Hot`[^\n]*slower/);
    await stopWithCtrlC(second);
  }, 240_000);
});
