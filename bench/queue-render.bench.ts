import { startTestTemporal } from '../test/support/temporal-server.js';
// How long `show benchmark queue` takes to render with a long queue, and whether the reply fits in
// a GitHub comment (65,536 characters). Prints Markdown for BENCHMARKS.md.
//
//   npx tsx bench/queue-render.bench.ts [--requests 500] [--runs 9]
//
// Real Temporal visibility: a `temporal server start-dev` (in memory) holds `--requests`
// benchmarkRequest workflows on a task queue no worker polls, each with the search attributes a
// queued request has, so the list query sees what it would see in production. The rendering is
// `queueTable(client, config, 'markdown')`, exactly what the `renderQueue` activity returns.

import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { queueTable } from '../adapters/temporal/request-visibility.js';
import { formatConfigIssues, parseConfig } from '../core/config/index.js';
import { GITHUB_COMMENT_LIMIT } from '../core/report/markdown.js';
import { REQUEST_WORKFLOW_TYPE } from '../core/request/contract.js';
import type { CommentSource } from '../core/request/types.js';
import { BENCHMARKS, PULL_REQUEST, REPOSITORY, REQUESTER, STATE } from '../core/search-attributes.js';
import { createRng } from './lib/prng.js';

const SEED = 20240601;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const REQUESTS = option('requests', 500);
const RUNS = option('runs', 9);
const PARKED = 'bench-parked-requests';
// What a busy DataFusion-like queue holds: a few repositories, many PRs, one to three benchmarks each.
const REPOS = ['apache/datafusion', 'apache/datafusion-comet', 'apache/arrow-rs'];
const BENCHMARK_NAMES = [
  'tpch',
  'tpch_mem',
  'clickbench_1',
  'clickbench_partitioned',
  'sort_tpch',
  'h2o_medium',
  'external_aggr',
  'imdb',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

async function main(): Promise<void> {
  const server = await startTestTemporal();
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const parsed = parseConfig('version: 1\nexecutor: { slots: 4 }\n', 'bench.yaml');
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
    const config = parsed.config;
    const rng = createRng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)] as T;

    const startedAt = performance.now();
    for (let i = 0; i < REQUESTS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, REQUESTS - i) }, (_, k) => {
          const n = i + k;
          const repo = pick(REPOS);
          const pr = 10_000 + Math.floor(rng.uniform() * 9_000);
          const requester = `contributor-${Math.floor(rng.uniform() * 200)}`;
          const benchmarks = [
            ...new Set(
              Array.from({ length: 1 + Math.floor(rng.uniform() * 3) }, () => pick(BENCHMARK_NAMES)),
            ),
          ];
          const source: CommentSource = {
            kind: 'comment',
            repo,
            pr,
            commentId: 1_000_000 + n,
            requester,
            association: 'MEMBER',
            body: `run benchmark ${benchmarks.join(' ')}`,
          };
          return client.workflow.start(REQUEST_WORKFLOW_TYPE, {
            taskQueue: PARKED,
            workflowId: `bench:queued:${n}`,
            args: [{ source }],
            typedSearchAttributes: [
              { key: REPOSITORY, value: repo },
              { key: PULL_REQUEST, value: pr },
              { key: REQUESTER, value: requester },
              { key: BENCHMARKS, value: benchmarks },
              { key: STATE, value: 'queued' },
            ],
          });
        }),
      );
    }
    const query = `WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND BenchbotState = 'queued'`;
    while ((await client.workflow.count(query)).count < REQUESTS) await sleep(200);
    const startSeconds = (performance.now() - startedAt) / 1000;

    const load = uptime();
    await queueTable(client, config, 'markdown'); // warm-up: connection, first page
    const times: number[] = [];
    let markdown = '';
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      markdown = await queueTable(client, config, 'markdown');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const rows = markdown.split('\n').filter((l) => /^\| (\d+|running) \|/.test(l)).length;
    const fits = markdown.length <= GITHUB_COMMENT_LIMIT;
    console.log(`### \`show benchmark queue\` with ${REQUESTS} queued requests

\`${load}\`

| queued requests | runs | render ms p50 [min-max] | markdown characters | table rows shown | fits in a comment (≤ ${GITHUB_COMMENT_LIMIT.toLocaleString('en')}) |
|---|---|---|---|---|---|
| ${REQUESTS} | ${RUNS} | ${Math.round(times[Math.floor(times.length / 2)] ?? 0)} [${Math.round(times[0] ?? 0)}-${Math.round(times.at(-1) ?? 0)}] | ${markdown.length.toLocaleString('en')} | ${rows} | ${fits ? 'yes' : 'NO'} |

(starting the ${REQUESTS} parked workflows and waiting for visibility to list them all took ${startSeconds.toFixed(1)} s; seed ${SEED})

Last lines of the reply:

\`\`\`
${markdown.split('\n').slice(-3).join('\n')}
\`\`\`
`);
  } finally {
    await connection.close();
    await server.stop();
  }
}

await main();
process.exit(0);
