import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchbotConfig } from '../../core/config/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';

export const REPO = 'acme/widgets';
export const BOT = 'benchbot[bot]';
export const NAMESPACE = 'benchmarking';

export interface RequestWorldConfig {
  /** Benchmark entries as YAML flow mappings. */
  benchmarks: string[];
  runnerImage?: string;
  pendingGraceSeconds?: number;
  /** executor.slots: how many jobs one worker takes at once. */
  slots?: number;
}

/**
 * What a request on the Kubernetes executor needs around it: the real control plane with the
 * test namespace, the runner's fixture repository, and the fake GitHub where alice (a maintainer)
 * comments on its pull requests. Each test file starts its own cluster of nodes on the plane.
 */
export interface RequestWorld {
  plane: ControlPlane;
  fixture: FixtureRepo;
  fake: FakeGitHub;
  dataDir: string;
  /** The worker's environment: the bot's token and the plane's kubeconfig. */
  env: NodeJS.ProcessEnv;
  /** A pull request from `slow` into `main`. */
  openPullRequest(): Promise<number>;
  config(options: RequestWorldConfig): BenchbotConfig;
  stop(): Promise<void>;
}

export async function startRequestWorld(name: string): Promise<RequestWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), `benchbot-kube-${name}-`));
  const [plane, fixture, fake] = await Promise.all([
    startControlPlane(),
    makeFixtureRepo(),
    startFakeGitHub({
      users: [
        { login: BOT, token: 'bot-token' },
        { login: 'alice', token: 'alice-token' },
      ],
    }),
  ]);
  await createNamespace(plane.kubeConfig, NAMESPACE);
  fake.createRepo({ owner: 'acme', name: 'widgets', gitPath: join(fixture.dir, 'project') });
  fake.setPermission(REPO, 'alice', 'maintain');
  return {
    plane,
    fixture,
    fake,
    dataDir,
    env: { GITHUB_TOKEN: 'bot-token', KUBECONFIG: plane.kubeconfigPath },
    openPullRequest: () =>
      fake.openPullRequest(REPO, { author: 'alice', head: { ref: 'slow' }, base: { ref: 'main' } }),
    config: ({ benchmarks, runnerImage = 'benchbot-runner:test', pendingGraceSeconds = 60, slots }) =>
      testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
executor:
  kind: kubernetes
${slots === undefined ? '' : `  slots: ${slots}\n`}  kubernetes: { namespace: ${NAMESPACE}, runnerImage: ${JSON.stringify(runnerImage)}, cpu: "2", memory: 2Gi, pendingGraceSeconds: ${pendingGraceSeconds} }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
${benchmarks.map((b) => `      - ${b}`).join('\n')}
`),
    async stop() {
      await Promise.all([plane.stop(), fake.stop()]);
      await rm(dataDir, { recursive: true, force: true });
      await rm(fixture.dir, { recursive: true, force: true });
    },
  };
}
