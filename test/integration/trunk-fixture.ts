import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_PROGRAM } from '../runner/fixture-repo.js';
import { commit, gitIn, makeGitRepo } from '../support/git-repo.js';

// A real git repository for trunk runs: a tiny benchmark whose program never changes (only its
// input and the shell wrapper do, so an untouched benchmark runs byte-identical code), and commits
// with committer times chosen by the test, so sampling windows are exact.

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
  const { root, dir, url } = await makeGitRepo('benchbot-trunk-repo-', branch);
  let log = '';
  const repo: TrunkRepo = {
    root,
    dir,
    url,
    git: (...args) => gitIn(dir, ...args),
    commit(epochSeconds, message, files = {}) {
      log += `${message}\n`;
      return commit(dir, { ...files, 'log.txt': log }, message, epochSeconds);
    },
  };
  await writeFile(join(dir, 'bench.js'), BENCH_PROGRAM);
  await writeFile(join(dir, 'bench.sh'), PLAIN_WRAPPER);
  await writeFile(join(dir, 'build.sh'), BUILD);
  await writeFile(join(dir, 'work.json'), workJson(600_000));
  await writeFile(join(dir, '.gitignore'), 'dist/\n*.txt\n!log.txt\n');
  return repo;
}
