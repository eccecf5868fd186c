import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real git repository for trunk runs: a tiny benchmark whose program never changes (only its
// input and the shell wrapper do, so an untouched benchmark runs byte-identical code), and commits
// with committer times chosen by the test, so sampling windows are exact.

const BENCH_PROGRAM = `
const { readFileSync } = require('node:fs');
const units = JSON.parse(readFileSync(__dirname + '/work.json', 'utf8'))[process.argv[2]];
function work(n) { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003; return x; }
let best = Infinity;
let sink = 0;
for (let rep = 0; rep < 12; rep++) {
  const before = process.cpuUsage();
  sink += work(units);
  const used = process.cpuUsage(before);
  if (rep >= 2) best = Math.min(best, (used.user + used.system) * 1000);
}
const name = process.argv[3];
console.log('Benchmark' + name[0].toUpperCase() + name.slice(1) + '-1 1 ' + best + ' ns/op');
if (sink < 0) console.log('unreachable');
`;

export const PLAIN_WRAPPER = 'node dist/bench.js "$1" "$1"\n';
/** Slow for the first `n` runs counted in $BLIP_COUNTER, then normal: a transient blip. */
export const blipWrapper = (n: number) => `c=$(cat "$BLIP_COUNTER" 2>/dev/null || echo 0)
echo $((c + 1)) > "$BLIP_COUNTER"
if [ "$c" -lt ${n} ]; then node dist/bench.js "$1_slow" "$1"; else node dist/bench.js "$1" "$1"; fi
`;
export const workJson = (hot: number) => JSON.stringify({ hot, hot_slow: Math.round(hot * 1.5) });

const BUILD = 'set -e\nmkdir -p dist\ncp bench.js work.json dist/\n';

export interface TrunkRepo {
  root: string;
  dir: string;
  url: string;
  git(...args: string[]): string;
  /** Commits `files` (plus a line in log.txt) on the checked-out branch at `epochSeconds`. */
  commit(epochSeconds: number, message: string, files?: Record<string, string>): Promise<string>;
}

export async function makeTrunkRepo(branch = 'main'): Promise<TrunkRepo> {
  const root = await mkdtemp(join(tmpdir(), 'benchbot-trunk-repo-'));
  const dir = join(root, 'project');
  await mkdir(dir);
  let log = '';
  const gitAt = (epoch: number | null, args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...(epoch === null
          ? {}
          : { GIT_AUTHOR_DATE: `@${epoch} +0000`, GIT_COMMITTER_DATE: `@${epoch} +0000` }),
      },
    }).trim();
  const repo: TrunkRepo = {
    root,
    dir,
    url: `file://${dir}`,
    git: (...args) => gitAt(null, args),
    async commit(epochSeconds, message, files = {}) {
      log += `${message}\n`;
      for (const [name, text] of Object.entries({ ...files, 'log.txt': log })) {
        await writeFile(join(dir, name), text);
      }
      gitAt(epochSeconds, ['add', '-A']);
      gitAt(epochSeconds, ['commit', '-q', '-m', message]);
      return gitAt(null, ['rev-parse', 'HEAD']);
    },
  };
  repo.git('init', '-q', '-b', branch);
  repo.git('config', 'user.email', 'test@example.com');
  repo.git('config', 'user.name', 'test');
  await writeFile(join(dir, 'bench.js'), BENCH_PROGRAM);
  await writeFile(join(dir, 'bench.sh'), PLAIN_WRAPPER);
  await writeFile(join(dir, 'build.sh'), BUILD);
  await writeFile(join(dir, 'work.json'), workJson(600_000));
  await writeFile(join(dir, '.gitignore'), 'dist/\n*.txt\n!log.txt\n');
  return repo;
}
