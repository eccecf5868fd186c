// Captures the histories the replay test (test/replay/replay.test.ts) replays: every path a real
// deployment can have in flight, run by today's workflows on a real `temporal server start-dev`
// with real workers, real git repositories and the fake GitHub, as the integration tests drive them.
//
//   npx tsx test/replay/capture-histories.ts <version>
//
// writes test/replay/histories/<version>/<case>.json (see history-set.ts for the format) and
// workflows.json (each case's workflow id and type, and the commit the workflows came from). Run it after a release, on the released commit, with a new version.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { pollerWorkflowId } from '../../core/poller/ids.js';
import { commentRequestId, manualRequestId } from '../../core/request/ids.js';
import type { CommentSource, ManualSource } from '../../core/request/types.js';
import type { TrunkRunInput } from '../../core/trunk/schedules.js';
import { startPoller, stopPoller } from '../../starter/commands/poller.js';
import { createWorkers, WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { benchmarkRequest, statusQuery } from '../../workflows/index.js';
import type { TrunkOutcome } from '../../workflows/trunk-run.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';
import { blipWrapper, makeTrunkRepo, PLAIN_WRAPPER, workJson } from '../integration/trunk-fixture.js';
import { makeFixtureRepo, PROJECT_ROOT } from '../runner/fixture-repo.js';
import { startTestTemporal } from '../support/temporal-server.js';
import {
  type CapturedWorkflow,
  HISTORIES_DIR,
  historyToStoredJSON,
  MANIFEST,
  type Manifest,
} from './history-set.js';

const REPO = 'acme/widgets';
const TRUNK_REPO = 'acme/trunk';
const POLLED_REPO = 'acme/polled';
const BOT = 'benchbot[bot]';
const env = { GITHUB_TOKEN: 'bot-token' };
const HOUR = 3600;

const say = (message: string) => console.log(`[capture] ${message}`);

function usage(): never {
  console.error(
    'usage: npx tsx test/replay/capture-histories.ts <version>\n' +
      '  version: the name of the new history set, e.g. v2 (see test/replay/histories/)',
  );
  process.exit(2);
}

/** The workflows (and the core code they run) must be committed: the set names the commit. */
function committedSource(): string {
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'workflows', 'core'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  }).trim();
  if (dirty !== '') {
    throw new Error(
      `workflows/ or core/ has uncommitted changes:\n${dirty}\n` +
        'Fix: commit them (or stash them) first: a history set records the commit it came from.',
    );
  }
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
}

async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function expectOutcome(name: string, outcome: unknown, expected: Record<string, unknown>): void {
  const actual = (outcome ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) {
    if (JSON.stringify(actual[key]) !== JSON.stringify(value)) {
      throw new Error(
        `${name} did not take the path it stands for: expected ${key}=${JSON.stringify(value)}, got ${JSON.stringify(outcome)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const version = process.argv[2];
  if (!version || process.argv.length > 3) usage();
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(version)) {
    throw new Error(`version "${version}" is not a plain name. Fix: use letters, digits, . _ -, e.g. v2`);
  }
  const outDir = join(HISTORIES_DIR, version);
  if (existsSync(outDir)) {
    throw new Error(
      `${relative(PROJECT_ROOT, outDir)} exists: a committed history set is never replaced. ` +
        'Fix: pick a new version name.',
    );
  }
  const capturedFrom = committedSource();
  const cleanup: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-capture-'));
  cleanup.push(dataDir);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startTestTemporal();
  let fake: FakeGitHub | null = null;
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    say(`temporal dev server on ${server.address}`);

    // The repositories: the runner's fixture (main, slow, broken), a trunk with three commits, and
    // an in-memory repository for the poller, whose requests are parked (tested elsewhere).
    const fixture = await makeFixtureRepo();
    cleanup.push(fixture.dir);
    const trunk = await makeTrunkRepo('work');
    cleanup.push(trunk.root);
    const now = Math.floor(Date.now() / 1000);
    const r1 = await trunk.commit(now - 3 * HOUR, 'baseline');
    // A blip: the first 9 runs of the new commit (one job's warmup and iterations) are 50% slower.
    const r2 = await trunk.commit(now - 2 * HOUR, 'blip', { 'bench.sh': blipWrapper(9) });
    const r3 = await trunk.commit(now - HOUR, 'hot does 50% more work', {
      'bench.sh': PLAIN_WRAPPER,
      'work.json': workJson(900_000),
    });

    const github = await startFakeGitHub({
      users: [
        { login: BOT, token: 'bot-token' },
        { login: 'alice', token: 'alice-token' },
        { login: 'mallory', token: 'mallory-token' },
      ],
    });
    fake = github;
    github.createRepo({ owner: 'acme', name: 'widgets', gitPath: join(fixture.dir, 'project') });
    github.setPermission(REPO, 'alice', 'maintain');
    const pr = await github.openPullRequest(REPO, {
      author: 'alice',
      head: { ref: 'slow' },
      base: { ref: 'main' },
    });
    const brokenPr = await github.openPullRequest(REPO, {
      author: 'alice',
      head: { ref: 'broken' },
      base: { ref: 'main' },
    });
    github.createRepo({ owner: 'acme', name: 'trunk', gitPath: trunk.dir });
    github.createRepo({ owner: 'acme', name: 'polled' });
    const root = github.addCommit(POLLED_REPO, { message: 'root', branch: 'main' });
    github.addCommit(POLLED_REPO, { message: 'topic', parents: [root.sha], branch: 'topic' });
    const polledPr = await github.openPullRequest(POLLED_REPO, {
      author: 'alice',
      head: { ref: 'topic' },
      base: { ref: 'main' },
    });

    const bench = (name: string) =>
      `{ name: ${name}, command: "node dist/bench.js ${name} > ${name}.txt", output: { path: ${name}.txt, format: go-bench }, iterations: 6, warmups: 1, timeoutMinutes: 2 }`;
    const config = testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(github.url)}, botLogin: "${BOT}" }
# The trunk blip counts its runs in a file outside the job's folders, which the sandbox exists to
# forbid; the histories do not depend on the sandbox.
executor: { local: { sandbox: none } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    trigger: { maxQueuedPerRequester: 1 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - ${bench('hot')}
      - ${bench('steady')}
      - { name: sleepy, command: "sleep 2 && echo BenchmarkSleepy-1 1 2000000000 ns/op > sleepy.txt", output: { path: sleepy.txt, format: go-bench }, iterations: 20, warmups: 0, timeoutMinutes: 2, runByDefault: false }
  - name: ${TRUNK_REPO}
    url: ${JSON.stringify(trunk.url)}
    build: { command: "sh build.sh" }
    benchmarks:
      - { name: hot, command: "sh bench.sh hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 8, warmups: 1, timeoutMinutes: 2, env: { BLIP_COUNTER: ${JSON.stringify(join(trunk.root, 'blip-counter'))} } }
    platforms: [local-a]
    schedules:
      - { name: main, cron: "0 0 1 1 *", window: 1h }
  - name: ${POLLED_REPO}
    benchmarks:
      - { name: hot, command: "true", output: { format: wall-clock } }
`);

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const taskQueue = `capture-${randomUUID()}`;
    const workers = await createWorkers({
      connection: nativeConnection,
      config,
      env,
      logger: pino({ level: 'warn' }),
      uiUrl: null,
      taskQueue,
      workflowBundle,
      statusEditIntervalMs: 2_000,
    });
    const running = workers.run();

    const captured: Record<string, CapturedWorkflow> = {};
    await mkdir(outDir, { recursive: true });
    const capture = async (name: string, handle: WorkflowHandle, path: string, runId?: string) => {
      const target = runId ? client.workflow.getHandle(handle.workflowId, runId) : handle;
      const described = await target.describe();
      if (described.status.name === 'RUNNING')
        throw new Error(`${name}: ${handle.workflowId} is still running`);
      const history = await target.fetchHistory();
      await writeFile(join(outDir, `${name}.json`), historyToStoredJSON(history));
      captured[name] = {
        workflowId: handle.workflowId,
        workflowType: described.type,
        status: described.status.name,
        path,
      };
      say(`${name}: ${described.type} ${described.status.name}, ${history.events?.length ?? 0} events`);
    };

    try {
      const comment = (author: string, association: 'MEMBER' | 'NONE', body: string, on = pr) => {
        const view = github.addComment(REPO, on, { author, body, authorAssociation: association });
        return {
          kind: 'comment',
          repo: REPO,
          pr: on,
          commentId: view.id,
          requester: author,
          association,
          body,
        } satisfies CommentSource;
      };
      const request = (source: CommentSource | ManualSource, workflowId: string) =>
        client.workflow.start(benchmarkRequest, { taskQueue, workflowId, args: [{ source }] });
      const onComment = (source: CommentSource) =>
        request(source, commentRequestId(source.repo, source.commentId));
      const finish = async (name: string, handle: WorkflowHandle, path: string, expected: object) => {
        const outcome = await handle.result();
        expectOutcome(name, outcome, expected as Record<string, unknown>);
        await capture(name, handle, path);
      };

      // Requests that only talk to GitHub.
      await Promise.all([
        onComment(comment('alice', 'MEMBER', 'run benchmark hot hott\nenv:\n  lower_case: 1')).then((h) =>
          finish('request-comment-invalid', h, 'a trigger with mistakes: reply and 😕', {
            outcome: 'invalid',
          }),
        ),
        onComment(comment('mallory', 'NONE', 'run benchmarks')).then((h) =>
          finish('request-comment-unauthorized', h, 'an untrusted commenter: one reply, nothing run', {
            outcome: 'unauthorized',
          }),
        ),
      ]);

      // A request cancelled while running, and what comes in meanwhile: a second request over the
      // requester's limit, `show benchmark queue` and `cancel benchmark`.
      const sleepy = await onComment(comment('alice', 'MEMBER', 'run benchmark sleepy'));
      await until(
        'the sleepy request to run',
        async () => (await sleepy.query(statusQuery)).state === 'running',
      );
      await finish(
        'request-comment-limited',
        await onComment(comment('alice', 'MEMBER', 'run benchmark hot')),
        'a second request over maxQueuedPerRequester: reply, nothing run',
        { outcome: 'limited', active: 1 },
      );
      await finish(
        'request-comment-queue',
        await onComment(comment('alice', 'MEMBER', 'show benchmark queue')),
        '`show benchmark queue` with one request running',
        { outcome: 'replied', kind: 'queue' },
      );
      await finish(
        'request-comment-cancel',
        await onComment(comment('alice', 'MEMBER', 'cancel benchmark')),
        '`cancel benchmark` cancelling the running request',
        { outcome: 'replied', kind: 'cancel' },
      );
      const cancelled = await sleepy.result().then(
        (outcome) => outcome,
        (err: unknown) => err,
      );
      if (!(cancelled instanceof Error))
        throw new Error(`the sleepy request was not cancelled: ${cancelled}`);
      await capture('request-comment-cancelled', sleepy, 'a request cancelled mid-job (running)');

      await finish(
        'request-comment-done',
        await onComment(comment('alice', 'MEMBER', 'run benchmark hot steady')),
        'a PR comment to a report: status comment edited into the report, 👀 and 🚀',
        { outcome: 'done' },
      );
      await finish(
        'request-comment-build-fails',
        await onComment(comment('alice', 'MEMBER', 'run benchmark hot', brokenPr)),
        "the PR's build fails (CodeUnderTestFailure): failure in the status comment and 😕",
        { outcome: 'failed', step: 'build' },
      );
      const manual: ManualSource = {
        kind: 'manual',
        repo: REPO,
        requester: 'cli',
        benchmarks: ['hot'],
        baseline: { ref: 'main', env: {} },
        changed: { ref: 'slow', env: {} },
      };
      await finish(
        'request-manual-done',
        await request(manual, manualRequestId(REPO, randomUUID())),
        '`benchbot run`: refs resolved in the repository, report as the result',
        { outcome: 'done' },
      );

      // Trunk runs: A/A on the first commit, a blip that does not confirm, a slowdown that does
      // (and opens an issue), then nothing new.
      const trunkInput: TrunkRunInput = { repo: TRUNK_REPO, schedule: 'main', reason: 'schedule' };
      const trunkRun = async (name: string, path: string, expected: Partial<TrunkOutcome>) => {
        const handle = await client.workflow.start('trunkRun', {
          taskQueue,
          workflowId: `trunk:${TRUNK_REPO}:main:capture-${randomUUID()}`,
          args: [trunkInput],
        });
        await finish(name, handle, path, expected);
        return (await handle.result()) as TrunkOutcome;
      };
      trunk.git('branch', '-f', 'main', r1);
      await trunkRun('trunk-first-run', 'the first run of a branch: the newest commit against itself (A/A)', {
        outcome: 'recorded',
        sha: r1,
        baselineSha: r1,
      });
      trunk.git('branch', '-f', 'main', r2);
      const blip = await trunkRun('trunk-blip', 'a suspected slowdown the confirmation run does not see', {
        outcome: 'recorded',
        sha: r2,
        confirmed: [],
        issue: null,
      });
      if (blip.outcome !== 'recorded' || blip.suspected.length === 0) {
        throw new Error(`trunk-blip suspected nothing: ${JSON.stringify(blip)}`);
      }
      trunk.git('branch', '-f', 'main', r3);
      const regression = await trunkRun(
        'trunk-regression',
        'a slowdown the confirmation run confirms: a regression issue',
        { outcome: 'recorded', sha: r3 },
      );
      if (regression.outcome !== 'recorded' || regression.issue === null) {
        throw new Error(`trunk-regression opened no issue: ${JSON.stringify(regression)}`);
      }
      await trunkRun('trunk-idle', 'nothing new since the last run', { outcome: 'idle' });

      // The poller: a few cycles a run, a trigger it starts (parked: no worker serves that queue),
      // an interval change, a continue-as-new, and `poller stop`.
      const requestTaskQueue = `parked-${randomUUID()}`;
      await startPoller(client, {
        repo: POLLED_REPO,
        intervalSeconds: 0.5,
        taskQueue,
        requestTaskQueue,
        cyclesPerRun: 6,
      });
      const poller = client.workflow.getHandle(pollerWorkflowId(POLLED_REPO));
      const firstRun = (await poller.describe()).runId;
      const listings = () =>
        github.requestsMatching({ route: '/repos/{owner}/{repo}/issues/comments' }).length;
      await until('the first poll', async () => listings() > 0);
      const trigger = github.addComment(POLLED_REPO, polledPr, {
        author: 'alice',
        body: 'run benchmark hot',
        authorAssociation: 'MEMBER',
      }).id;
      const started = client.workflow.getHandle(commentRequestId(POLLED_REPO, trigger));
      await until('the poller to start the request', async () => (await started.describe()).runId);
      await startPoller(client, { repo: POLLED_REPO, intervalSeconds: 0.6, taskQueue });
      await until('the first run to continue as new', async () => {
        const first = await client.workflow.getHandle(poller.workflowId, firstRun).describe();
        return first.status.name === 'CONTINUED_AS_NEW';
      });
      if ((await stopPoller(client, POLLED_REPO, 30_000)) !== 'stopped')
        throw new Error('the poller did not stop');
      await capture(
        'poller-first-run',
        poller,
        'a run of the poller: cycles, a request started, an interval change, continue-as-new',
        firstRun,
      );
      await capture('poller-stopped', poller, 'the last run of the poller, stopped by `poller stop`');
    } finally {
      workers.shutdown();
      await running;
      await nativeConnection.close();
    }

    const manifest: Manifest = { capturedFrom, capturedAt: new Date().toISOString(), workflows: captured };
    await writeFile(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    say(`wrote ${Object.keys(captured).length} histories to ${relative(PROJECT_ROOT, outDir)}`);
    await connection.close();
  } catch (err) {
    await rm(outDir, { recursive: true, force: true });
    throw err;
  } finally {
    await fake?.stop();
    await server.stop();
    await Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[capture] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
