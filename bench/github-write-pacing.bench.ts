// How github.writeIntervalMs spaces benchbot's GitHub writes: the gaps between writes started all
// at once by one client, as they arrive at the fake GitHub, for edits and for writes that notify
// (new comments, paced three intervals apart). The tests check the order; this prints the figures,
// as Markdown for BENCHMARKS.md.
//
//   npx tsx bench/github-write-pacing.bench.ts [--writes 5]
//
// Real octokit with benchbot's throttling setup (createGitHubClient), the faithful fake GitHub on
// 127.0.0.1. Each interval gets fresh pacing groups, so no row waits for another's writes.

import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { createGitHubClient, type GitHubClient } from '../adapters/github/client.js';
import { formatConfigIssues, parseConfig } from '../core/config/index.js';
import { startFakeGitHub } from '../test/fakes/github/index.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 1 ? value : fallback;
}

const WRITES = option('writes', 5);
const BOT = 'benchbot[bot]';
const TOKEN = 'ghs_benchbot';
const REPO = { owner: 'acme', repo: 'engine' };

const fake = await startFakeGitHub({ users: [{ login: BOT, token: TOKEN }, { login: 'alice' }] });
fake.createRepo({ owner: REPO.owner, name: REPO.repo });
const issue = fake.openIssue(`${REPO.owner}/${REPO.repo}`, { author: 'alice', title: 'pacing' });

function client(writeIntervalMs: number): GitHubClient {
  const parsed = parseConfig(
    `version: 1\ngithub: { apiUrl: ${JSON.stringify(fake.url)}, writeIntervalMs: ${writeIntervalMs} }\n`,
    'benchbot.yaml',
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  return createGitHubClient({
    config: parsed.config,
    env: { GITHUB_TOKEN: TOKEN },
    logger: pino({ level: 'silent' }),
  });
}

/** Gaps in ms between the arrivals of `WRITES` writes of one kind, started at once. */
async function gaps(octokit: GitHubClient, kind: 'edit' | 'new comment'): Promise<number[]> {
  await octokit.rest.issues.get({ ...REPO, issue_number: issue });
  const { id } = fake.addComment(`${REPO.owner}/${REPO.repo}`, issue, { author: BOT, body: 'queued' });
  fake.clearRequests();
  await Promise.all(
    Array.from({ length: WRITES }, (_, i) =>
      kind === 'edit'
        ? octokit.rest.issues.updateComment({ ...REPO, comment_id: id, body: `edit ${i}` })
        : octokit.rest.issues.createComment({ ...REPO, issue_number: issue, body: `comment ${i}` }),
    ),
  );
  const times = fake.requests
    .filter((r) => r.method !== 'GET')
    .map((r) => r.at)
    .sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - (times[i] ?? t));
}

console.log('## GitHub write pacing\n');
console.log(`npx tsx bench/github-write-pacing.bench.ts --writes ${WRITES}`);
console.log(`machine: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}\n`);
console.log(
  `${WRITES} writes of one kind started at once by one client; gaps between their arrivals at the fake GitHub.\n`,
);
console.log('| writeIntervalMs | writes | expected gap ms | min gap ms | max gap ms | first to last ms |');
console.log('|---:|---|---:|---:|---:|---:|');
try {
  for (const interval of [1000, 200, 0]) {
    for (const kind of ['edit', 'new comment'] as const) {
      const g = await gaps(client(interval), kind);
      const expected = kind === 'edit' ? interval : 3 * interval;
      const total = g.reduce((a, b) => a + b, 0);
      console.log(
        `| ${interval} | ${kind}s | ${expected} | ${Math.min(...g)} | ${Math.max(...g)} | ${total} |`,
      );
    }
  }
} finally {
  await fake.stop();
}
