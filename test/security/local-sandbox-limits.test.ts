import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecutorHooks } from '../../adapters/executors/executor.js';
import { createLocalExecutor } from '../../adapters/executors/local.js';
import type { SandboxSettings } from '../../adapters/executors/local-sandbox.js';
import type { JobBenchmark } from '../../core/job-spec.js';
import { JOB_TIMED_OUT } from '../../core/request/contract.js';
import { benchmark, type FixtureRepo, makeFixtureRepo, makeSpec } from '../runner/fixture-repo.js';
import { tempCheckpointStores } from '../support/job-checkpoints.js';

// The sandbox's limits through the real local executor, bwrap and prlimit: memory per process,
// the job's wall time, the network (its own namespace through slirp4netns, or none). Each job ends
// with a canary that must still run.

vi.setConfig({ testTimeout: 120_000 });

let fixture: FixtureRepo;
let loopbackServer: Server;
let loopbackPort: number;
let allInterfacesServer: Server;
let allInterfacesPort: number;
let abstractServer: Server;
// An abstract Unix socket belongs to a network namespace, not to a file a mount could hide.
const abstractName = `benchbot-limits-${process.pid}`;
const workRoot = mkdtempSync(join(tmpdir(), 'benchbot-limits-'));
const checkpoints = tempCheckpointStores();

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  // What a job must not reach (the Temporal dev server, the dashboard, PostgreSQL listen there).
  loopbackServer = createServer((socket) => socket.end('hello\n'));
  loopbackServer.listen(0, '127.0.0.1');
  await once(loopbackServer, 'listening');
  loopbackPort = (loopbackServer.address() as { port: number }).port;
  // What anyone on the network reaches: proof that the job's network is on.
  allInterfacesServer = createServer((socket) => socket.end('hello\n'));
  allInterfacesServer.listen(0, '0.0.0.0');
  await once(allInterfacesServer, 'listening');
  allInterfacesPort = (allInterfacesServer.address() as { port: number }).port;
  abstractServer = createServer((socket) => socket.end('hello\n'));
  abstractServer.listen(`\0${abstractName}`);
  await once(abstractServer, 'listening');
});

afterAll(async () => {
  await checkpoints.close();
  loopbackServer?.close();
  allInterfacesServer?.close();
  abstractServer?.close();
  await rm(workRoot, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

function settings(overrides: Partial<SandboxSettings> = {}): SandboxSettings {
  return {
    network: true,
    readOnlyPaths: [],
    hidden: [workRoot],
    limits: { processes: 512, memoryMiB: null },
    path: process.env.PATH,
    ...overrides,
  };
}

const hooks: ExecutorHooks = {
  onProgress: () => {},
  heartbeat: () => {},
  signal: new AbortController().signal,
  shutdown: new AbortController().signal,
};

const attempt = (name: string, command: string): JobBenchmark =>
  benchmark(name, {
    command: `${command} && echo Benchmark${name[0]?.toUpperCase()}${name.slice(1)}-1 1 100 ns/op > ${name}.txt`,
    iterations: 1,
    warmups: 0,
  });

/** Runs the benchmarks as one sandboxed job; returns the status of each. */
async function runJob(key: string, box: SandboxSettings, benchmarks: JobBenchmark[], wallTimeMs = 600_000) {
  const executor = createLocalExecutor({
    workRoot,
    hostEnv: process.env,
    passEnv: [],
    isolation: { kind: 'sandbox', settings: box },
    wallTimeMs,
    logger: pino({ level: 'silent' }),
  });
  const spec = makeSpec(fixture, 'main', [...benchmarks, attempt('canary', 'true')]);
  const outcome = await executor.run({ spec, key, checkpoints: checkpoints.forJob(key) }, hooks);
  if (outcome.kind !== 'results') throw new Error(`the job ended ${JSON.stringify(outcome)}`);
  const results = JSON.parse(outcome.text) as { benchmarks: { name: string; status: string }[] };
  return Object.fromEntries(results.benchmarks.map((b) => [b.name.toLowerCase(), b.status]));
}

const connect = (host: string, port: number) =>
  `node -e "require('net').connect(${port}, '${host}').on('data', () => process.exit(0)).on('error', () => process.exit(1))"`;

const connectAbstract = () =>
  `node -e "require('net').connect('\\0${abstractName}').on('data', () => process.exit(0)).on('error', () => process.exit(1))"`;

/** This host's address on its network, which the box's NAT reaches as any outside address. */
function hostAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (address === undefined)
    throw new Error('this host has no non-loopback IPv4 address for the network test');
  return address;
}

/** The slirp4netns processes this test process started (the executor runs in it). */
async function networkStacks(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match?.[1] === 'slirp4netns' && Number(match[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

async function jobProcesses(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`BENCHBOT_JOB=${dir}`)) pids.push(Number(entry));
  }
  return pids;
}

describe('the local sandbox limits', () => {
  it('fails a process that allocates past memoryMiB, and only that benchmark', async () => {
    const statuses = await runJob('memory', settings({ limits: { processes: 512, memoryMiB: 768 } }), [
      attempt('hog', `node -e "Buffer.alloc(1536 * 1024 * 1024, 1)"`),
      attempt('modest', `node -e "Buffer.alloc(64 * 1024 * 1024, 1)"`),
    ]);
    expect(statuses).toEqual({ hog: 'failed', modest: 'ok', canary: 'ok' });
  });

  it('lets commands use /dev/null, /dev/zero and /dev/urandom, as builds and benchmarks do', async () => {
    // Each command runs in a box inside the job box: its view of /dev must keep the devices usable.
    expect(
      await runJob('devices', settings(), [
        attempt('devnull', 'echo quiet > /dev/null'),
        attempt('devzero', 'test "$(head -c 4096 /dev/zero | wc -c)" = 4096'),
        attempt('urandom', 'test "$(head -c 16 /dev/urandom | wc -c)" = 16'),
      ]),
    ).toEqual({ devnull: 'ok', devzero: 'ok', urandom: 'ok', canary: 'ok' });
  });

  it('keeps the network on, without a way to the host loopback', async () => {
    expect(
      await runJob('network-on', settings(), [
        attempt('loopback', connect('127.0.0.1', loopbackPort)),
        attempt('loopbackall', connect('127.0.0.1', allInterfacesPort)),
        attempt('gateway', connect('10.0.2.2', allInterfacesPort)),
        attempt('abstract', connectAbstract()),
        attempt('outside', connect(hostAddress(), allInterfacesPort)),
      ]),
    ).toEqual({
      loopback: 'failed',
      loopbackall: 'failed',
      gateway: 'failed',
      abstract: 'failed',
      outside: 'ok',
      canary: 'ok',
    });
    // The job's network stack ends with its box.
    for (let i = 0; i < 100 && (await networkStacks()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await networkStacks()).toEqual([]);
  });

  it('reaches nothing with the network configured off', async () => {
    expect(
      await runJob('network-off', settings({ network: false }), [
        attempt('loopback', connect('127.0.0.1', loopbackPort)),
        attempt('outside', connect(hostAddress(), allInterfacesPort)),
      ]),
    ).toEqual({ loopback: 'failed', outside: 'failed', canary: 'ok' });
  });

  it('stops a job past its wall time, does not retry it, and leaves no process behind', async () => {
    const failure = await runJob('wall-time', settings(), [attempt('forever', 'sleep 600')], 4_000).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: JOB_TIMED_OUT, nonRetryable: true });
    expect((failure as Error).message).toContain('executor.local.limits.wallMinutes');
    for (let i = 0; i < 100 && (await jobProcesses(join(workRoot, 'wall-time'))).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await jobProcesses(join(workRoot, 'wall-time'))).toEqual([]);
  });
});
