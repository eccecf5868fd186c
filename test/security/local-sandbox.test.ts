import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { commentMarker, commentRequestId } from '../../core/request/ids.js';
import { UNSANDBOXED_NOTE } from '../../core/request/status-comment.js';
import type { RequestOutcome } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { WorkerProcess } from '../faults/worker-process.js';
import { testConfig } from '../integration/test-config.js';
import { withWorker } from '../integration/worker-harness.js';
import { type FixtureRepo, makeFixtureRepo, PROJECT_ROOT } from '../runner/fixture-repo.js';
import { startCommentRequest, triggerComment } from '../support/trigger-comment.js';

// Code from a pull request, written as an attacker would, run by a real `benchbot start` through
// the local executor's sandbox. Each benchmark tries one thing; it writes a result only when the
// attempt failed, so a benchmark the report marks failed is an attack that got through (except the
// fork bomb, which is meant to fail).

vi.setConfig({ testTimeout: 300_000 });

const BOT = 'benchbot[bot]';
const REPO = `security/sandbox-${randomUUID().slice(0, 8)}`;
const TOKEN = 'bot-token';
const DATABASE_URL = 'postgres://benchbot:hunter2-db-password@db.internal/benchbot';
const LEFTOVER = '4242.5';
const SLOWPOKE_SECONDS = '3600.5';

let fake: FakeGitHub;
let fixture: FixtureRepo;
let pr: number;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-security-'));
const otherJob = join(dataDir, 'work', 'another-request');

const result = (name: string) =>
  `echo Benchmark${name[0]?.toUpperCase()}${name.slice(1)}-1 1 100 ns/op > ${name}.txt`;

/** name -> shell command; each in its own benchmark, in this order. */
function attacks(configFile: string): Record<string, string> {
  return {
    // Every process's environment the box shows, for the worker's token and database password.
    environ: `if cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -e GITHUB_TOKEN -e ${TOKEN} -e hunter2; then echo FOUND-SECRET; exit 1; fi; ${result('environ')}`,
    // The data folder (results, the config, another request's job folder) and the worker's home
    // (~/.kube, ~/.config/gh, ~/.ssh) must not be there at all.
    files: `for f in ${dataDir}/decoy.txt ${configFile} ${otherJob}/secret.txt; do if cat "$f" 2>/dev/null; then echo READ "$f"; exit 1; fi; done; if test -e ${otherJob}; then echo SAW-OTHER-JOB; exit 1; fi; if [ "$(ls -A ${dataDir})" != work ]; then ls -A ${dataDir}; exit 1; fi; if ls -A ${homedir()} 2>/dev/null | grep -q .; then echo SAW-WORKER-HOME; exit 1; fi; ${result('files')}`,
    // Writing anywhere but the job's own folder.
    write: `w=0; for f in ${dataDir}/evil ${dataDir}/work/evil ${PROJECT_ROOT}/runner/evil ${PROJECT_ROOT}/node_modules/evil ${fixtureProject()}/evil /etc/evil /tmp/evil /evil; do if (echo pwned > "$f") 2>/dev/null; then echo WROTE "$f"; w=1; fi; done; [ $w = 0 ] && ${result('write')}`,
    // Killing everything it can signal, its parent, PID 1, and anything called node or benchbot.
    killer: `kill -9 -1; kill -9 $PPID; kill -9 1; pkill -9 node; pkill -9 -f benchbot; ${result('killer')}`,
    // A fork bomb: bounded by executor.local.limits.processes, and gone when its command ends.
    forkbomb: 'f() { f | f & }; f; sleep 5',
    // A daemon left behind, out of the command's process group and session. It must have started
    // (a box where /dev/null cannot be opened never started it), or the test below proves nothing.
    daemon: `setsid sleep ${LEFTOVER} > /dev/null 2>&1 < /dev/null & nohup sleep ${LEFTOVER} > /dev/null 2>&1 & sleep 1; [ "$(pgrep -c -x -f 'sleep ${LEFTOVER}')" = 2 ] || { echo DAEMONS-NOT-STARTED; exit 1; }; ${result('daemon')}`,
    // Runs after all of the above: the job went on.
    canary: result('canary'),
  };
}

function fixtureProject(): string {
  return join(fixture.dir, 'project');
}

function configText(configFile: string): string {
  const benchmarks = Object.entries(attacks(configFile)).map(
    ([name, command]) =>
      `      - { name: ${name}, command: ${JSON.stringify(command)}, output: { path: ${name}.txt, format: go-bench }, iterations: 1, warmups: 0, timeoutMinutes: 1 }`,
  );
  // Long enough to kill the worker under it.
  benchmarks.push(
    `      - { name: slowpoke, command: "sleep ${SLOWPOKE_SECONDS}", output: { path: slowpoke.txt, format: go-bench }, iterations: 1, warmups: 0 }`,
  );
  return `
version: 1
dataDir: ${JSON.stringify(dataDir)}
temporal: { address: ${JSON.stringify(inject('temporalAddress'))}, taskQueue: security-${randomUUID()} }
telemetry: { metricsAddress: null, healthAddress: null }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
dashboard: { port: 0 }
executor: { local: { limits: { processes: 300 } } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    watch: false
    trigger: { maxQueuedPerRequester: 100 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
${benchmarks.join('\n')}
`;
}

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: TOKEN },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  const [owner, name] = REPO.split('/') as [string, string];
  fake.createRepo({ owner, name, gitPath: fixtureProject() });
  pr = await fake.openPullRequest(REPO, { author: 'alice', head: { ref: 'slow' }, base: { ref: 'main' } });
  // What a job must not find: a file in the data folder, another request's job folder.
  writeFileSync(join(dataDir, 'decoy.txt'), 'data folder contents\n');
  mkdirSync(otherJob, { recursive: true });
  writeFileSync(join(otherJob, 'secret.txt'), 'another job\n');
});

afterAll(async () => {
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

const comment = (body: string) => triggerComment(fake, REPO, pr, body);

async function request(client: Client, taskQueue: string, body: string) {
  const handle = await startCommentRequest(client, taskQueue, comment(body));
  const outcome = (await handle.result()) as RequestOutcome;
  const comments = fake
    .comments(REPO, pr)
    .filter((c) => c.author === BOT && c.body.includes(commentMarker(handle.workflowId)));
  return { outcome, comments };
}

/** Host processes whose command line has `needle` as one of its arguments. */
async function processesWithArgument(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

/** The worker as `benchbot start` runs it, with a config file in its data folder and secrets in its environment. */
function startable() {
  const configFile = join(dataDir, 'benchbot.yaml');
  const text = configText(configFile);
  writeFileSync(configFile, text);
  const worker = new WorkerProcess(
    configFile,
    join(tmpdir(), `benchbot-security-${randomUUID()}.log`),
    'info',
    {
      BENCHBOT_DATABASE_URL: DATABASE_URL,
    },
  );
  return { config: testConfig(text), worker, configFile };
}

describe('a hostile pull request on the sandboxed local executor', () => {
  it('goes down with a worker killed outright: nothing of the job outlives it', async () => {
    const { config, worker } = startable();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });
    const source = comment('run benchmark slowpoke');
    const workflowId = commentRequestId(REPO, source.commentId);
    try {
      worker.start();
      await worker.waitFor('ready.');
      await client.workflow.start(benchmarkRequest, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [{ source }],
      });
      await waitUntil(
        'the benchmark runs',
        async () => (await processesWithArgument(SLOWPOKE_SECONDS)).length > 0,
      );
      await worker.kill();
      await waitUntil(
        'the box is gone',
        async () => (await processesWithArgument(SLOWPOKE_SECONDS)).length === 0,
      );
    } finally {
      await client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
      await worker.stop();
      await connection.close();
    }
  });

  it('reads no secret, writes nowhere else, kills nothing outside, and leaves nothing behind', async () => {
    const { config, worker, configFile } = startable();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      worker.start();
      await worker.waitFor('ready.');
      expect(worker.log()).toContain('job sandbox: bubblewrap');
      const client = new Client({ connection });
      const taskQueue = config.temporal.taskQueue;

      const names = Object.keys(attacks(configFile));
      const hostile = await request(client, taskQueue, `run benchmark ${names.join(' ')}`);
      expect(hostile.outcome).toMatchObject({ outcome: 'done' });
      expect(hostile.comments).toHaveLength(1);
      const report = hostile.comments[0]?.body ?? '';
      expect(report).toContain('✅ done');
      // Every attack that would have shown itself by failing did not; the fork bomb writes no result.
      // The killer may take down its own shell (the box's /proc numbers processes as the job box
      // does, so `pkill node` names the command's own PID): what counts is that the runner went on
      // to the canary, and the worker is still there.
      const failed = [...report.matchAll(/⛔ failed: `([a-z]+)/g)].map((m) => m[1]);
      expect(failed).toContain('forkbomb');
      expect(failed.filter((name) => name !== 'forkbomb' && name !== 'killer')).toEqual([]);
      expect(report).not.toMatch(
        /FOUND-SECRET|READ |WROTE |SAW-OTHER-JOB|SAW-WORKER-HOME|DAEMONS-NOT-STARTED/,
      );

      // Nothing written outside the job folder reached the host.
      for (const path of [
        join(dataDir, 'evil'),
        join(dataDir, 'work', 'evil'),
        join(PROJECT_ROOT, 'runner', 'evil'),
        join(PROJECT_ROOT, 'node_modules', 'evil'),
        join(fixtureProject(), 'evil'),
        '/etc/evil',
        '/evil',
      ])
        expect(existsSync(path), path).toBe(false);
      // Killing everything in sight reached neither the worker nor the runner, and no daemon outlived its command.
      expect(worker.alive()).toBe(true);
      expect(await processesWithArgument(LEFTOVER)).toEqual([]);

      // The worker keeps serving.
      const next = await request(client, taskQueue, 'run benchmark canary');
      expect(next.outcome).toMatchObject({ outcome: 'done' });
      expect(next.comments[0]?.body).toContain('✅ done');
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('a worker that cannot sandbox', () => {
  const plain = (sandbox: 'bubblewrap' | 'none') =>
    testConfig(`
version: 1
dataDir: ${JSON.stringify(join(dataDir, `plain-${sandbox}`))}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
executor: { local: { sandbox: ${sandbox} } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    trigger: { maxQueuedPerRequester: 100 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: canary, command: ${JSON.stringify(result('canary'))}, output: { path: canary.txt, format: go-bench }, iterations: 1, warmups: 0 }
`);

  it('refuses pull-request runs, naming the setting, when bwrap is missing', async () => {
    // No bwrap on the worker's PATH: the machine has no sandbox.
    await withWorker(
      plain('bubblewrap'),
      async ({ client, taskQueue }) => {
        const refused = await request(client, taskQueue, 'run benchmark canary');
        expect(refused.outcome).toMatchObject({ outcome: 'failed' });
        expect(refused.comments).toHaveLength(1);
        const body = refused.comments[0]?.body ?? '';
        expect(body).toContain('❌ failed');
        expect(body).toContain('bwrap is not on PATH');
        expect(body).toContain('executor.local.sandbox: none');
      },
      { env: { GITHUB_TOKEN: TOKEN, PATH: join(dataDir, 'no-tools-here') } },
    );
  });

  it('refuses pull-request runs, naming slirp4netns and the network setting, when it is missing', async () => {
    // bubblewrap and util-linux there, the network stack not: no silent fallback to the host's network.
    const tools = join(dataDir, 'no-network-stack');
    mkdirSync(tools, { recursive: true });
    for (const tool of ['bwrap', 'prlimit', 'choom', 'setpriv'])
      if (!existsSync(join(tools, tool))) symlinkSync(`/usr/bin/${tool}`, join(tools, tool));
    await withWorker(
      plain('bubblewrap'),
      async ({ client, taskQueue }) => {
        const refused = await request(client, taskQueue, 'run benchmark canary');
        expect(refused.outcome).toMatchObject({ outcome: 'failed' });
        expect(refused.comments).toHaveLength(1);
        const body = refused.comments[0]?.body ?? '';
        expect(body).toContain('slirp4netns is not on PATH');
        expect(body).toContain('executor.local.network: false');
        expect(body).toContain('executor.local.sandbox: none');
      },
      { env: { GITHUB_TOKEN: TOKEN, PATH: tools } },
    );
  });

  it('says so when `benchbot start` starts, and refuses pull-request runs there', async () => {
    // A toolchain folder that is not there: the start-up probe cannot build the box, as on a
    // machine without user namespaces.
    const missing = join(dataDir, 'no-such-toolchain');
    const configFile = join(dataDir, 'unavailable.yaml');
    const text = `
version: 1
dataDir: ${JSON.stringify(join(dataDir, 'unavailable'))}
temporal: { address: ${JSON.stringify(inject('temporalAddress'))}, taskQueue: unavailable-${randomUUID()} }
telemetry: { metricsAddress: null, healthAddress: null }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
dashboard: { port: 0 }
executor: { local: { readOnlyPaths: [${JSON.stringify(missing)}] } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    watch: false
    trigger: { maxQueuedPerRequester: 100 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: canary, command: ${JSON.stringify(result('canary'))}, output: { path: canary.txt, format: go-bench }, iterations: 1, warmups: 0 }
`;
    writeFileSync(configFile, text);
    const worker = new WorkerProcess(
      configFile,
      join(tmpdir(), `benchbot-unavailable-${randomUUID()}.log`),
      'info',
    );
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      worker.start();
      await worker.waitFor('ready.');
      const log = worker.log();
      expect(log).toContain(`job sandbox: UNAVAILABLE (executor.local.readOnlyPaths names ${missing}`);
      expect(log).toContain('no sandbox for jobs: pull-request runs are refused');
      const refused = await request(
        new Client({ connection }),
        testConfig(text).temporal.taskQueue,
        'run benchmark canary',
      );
      expect(refused.outcome).toMatchObject({ outcome: 'failed' });
      expect(refused.comments).toHaveLength(1);
      expect(refused.comments[0]?.body).toContain('executor.local.sandbox: none');
      expect(worker.alive()).toBe(true);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });

  it('runs them with sandbox: none, and every status comment says they were unsandboxed', async () => {
    await withWorker(
      plain('none'),
      async ({ client, taskQueue }) => {
        const run = await request(client, taskQueue, 'run benchmark canary');
        expect(run.outcome).toMatchObject({ outcome: 'done' });
        const body = run.comments[0]?.body ?? '';
        expect(body).toContain('✅ done');
        expect(body).toContain(UNSANDBOXED_NOTE);
      },
      { env: { GITHUB_TOKEN: TOKEN, ...(process.env.PATH ? { PATH: process.env.PATH } : {}) } },
    );
  });
});
