import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Commits made at a fixed date, so a fixture's SHAs are the same on every run. */
const FIXED_DATE = '2024-01-01T00:00:00Z';

/** git in `dir`; commits it makes carry `date` (any form git reads). */
export function gitIn(dir: string, ...args: string[]): string {
  return gitAt(dir, FIXED_DATE, args);
}

function gitAt(dir: string, date: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  }).trim();
}

/**
 * Writes `files` into `dir`, commits them all, and returns the new commit's SHA; `epochSeconds`
 * dates the commit, for tests whose sampling windows depend on commit times.
 */
export async function commit(
  dir: string,
  files: Record<string, string>,
  message: string,
  epochSeconds?: number,
): Promise<string> {
  const date = epochSeconds === undefined ? FIXED_DATE : `@${epochSeconds} +0000`;
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  gitAt(dir, date, ['add', '-A']);
  gitAt(dir, date, ['commit', '-q', '-m', message]);
  return gitIn(dir, 'rev-parse', 'HEAD');
}

export interface GitRepo {
  /** The temp folder to remove afterwards; the repository is `dir` inside it. */
  root: string;
  dir: string;
  url: string;
}

/** An empty repository on `branch` in a temp folder of its own, served over file://. */
export async function makeGitRepo(prefix: string, branch = 'main'): Promise<GitRepo> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const dir = join(root, 'project');
  await mkdir(dir);
  gitIn(dir, 'init', '-q', '-b', branch);
  gitIn(dir, 'config', 'user.email', 'test@example.com');
  gitIn(dir, 'config', 'user.name', 'test');
  return { root, dir, url: `file://${dir}` };
}
