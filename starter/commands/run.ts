import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { probeSandbox } from '../../adapters/executors/local-sandbox.js';
import { type BenchbotConfig, findRepo, type RepoConfig, temporalUiUrl } from '../../core/config/index.js';
import { manualRequestId } from '../../core/request/ids.js';
import { workflowUrl } from '../../core/request/workflow-url.js';
import { benchmarkRequest, statusQuery } from '../../workflows/index.js';
import { followRequest } from '../follow-request.js';
import { storedReport } from '../stored-report.js';
import { connectClient } from '../temporal-client.js';

export interface RunOptions {
  repo: string;
  baseline: string;
  changed: string;
  benchmark: string[];
  env: string[];
}

const say = (line: string) => console.log(`[benchbot] ${line}`);

/** A configured repository named by `owner/name`, its clone URL, or a local path to it. */
function repoFor(config: BenchbotConfig, arg: string): RepoConfig | null {
  const byName = findRepo(config, arg);
  if (byName) return byName;
  const asPath = pathToFileURL(resolve(arg)).href;
  const same = (url: string) => url.replace(/\/(\.git)?$/, '');
  return config.repos.find((r) => same(r.url) === same(arg) || same(r.url) === same(asPath)) ?? null;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--env ${pair}: expected NAME=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/**
 * `benchbot run`: the request workflow without GitHub, for trying benchbot on your own repository.
 * Prints progress while it runs and the report at the end; the workflow stays in the Web UI.
 */
/** Manual runs go ahead without a sandbox (it is the maintainer's own code), but not silently. */
async function warnIfUnsandboxed(config: BenchbotConfig): Promise<void> {
  const { kind, local } = config.executor;
  if (kind !== 'local') return;
  if (local.sandbox === 'none') {
    console.error('[benchbot] warning: executor.local.sandbox is none: this run is unsandboxed');
    return;
  }
  const status = await probeSandbox({
    network: local.network,
    readOnlyPaths: [],
    hidden: [],
    limits: local.limits,
    path: process.env.PATH,
  });
  if (!status.available)
    console.error(
      `[benchbot] warning: no sandbox on this machine (${status.reason}); this run is unsandboxed`,
    );
}

export async function run(config: BenchbotConfig, options: RunOptions): Promise<number> {
  const repo = repoFor(config, options.repo);
  if (repo === null) {
    console.error(
      [
        `${options.repo} is not a repository in the config. Add it to benchbot.yaml, e.g.:`,
        '',
        'repos:',
        '  - name: me/my-project',
        `    url: ${pathToFileURL(resolve(options.repo)).href}`,
        '    build: { command: "make" }',
        '    benchmarks:',
        '      - { name: startup, command: "./my-program --version", output: { format: wall-clock } }',
      ].join('\n'),
    );
    return 2;
  }
  const unknown = options.benchmark.filter((name) => !repo.benchmarks.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(
      `${repo.name} has no benchmark ${unknown.join(', ')}; it has: ${repo.benchmarks.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  await warnIfUnsandboxed(config);
  const env = parseEnv(options.env);
  const benchmarks =
    options.benchmark.length > 0
      ? options.benchmark
      : repo.benchmarks.filter((b) => b.runByDefault).map((b) => b.name);

  const { client, close } = await connectClient(config);
  try {
    const workflowId = manualRequestId(repo.name, randomUUID());
    const handle = await client.workflow.start(benchmarkRequest, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [
        {
          source: {
            kind: 'manual',
            repo: repo.name,
            requester: process.env.USER ?? 'cli',
            benchmarks,
            baseline: { ref: options.baseline, env },
            changed: { ref: options.changed, env },
          },
        },
      ],
    });
    say(`started ${workflowId}`);
    const url = workflowUrl(temporalUiUrl(config), config.temporal.namespace, workflowId);
    if (url) say(`follow it in the Web UI: ${url}`);

    const outcome = await followRequest(handle, statusQuery, { say });
    if (outcome.outcome === 'done') {
      console.log(`\n${outcome.report ?? (await storedReport(config, process.env, outcome, say))}`);
      return 0;
    }
    if (outcome.outcome === 'failed') {
      console.error(`[benchbot] failed at the ${outcome.step} step: ${outcome.message}`);
      return 1;
    }
    console.error(`[benchbot] ended: ${JSON.stringify(outcome)}`);
    return 1;
  } finally {
    await close();
  }
}
