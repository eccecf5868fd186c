import { access, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobSide, JobSpec } from '../core/job-spec.js';
import { SIDES, type SideName } from '../core/results/schema.js';
import { CodeUnderTestError } from './errors.js';
import { git, gitOrThrow } from './git.js';

// One clone, one worktree per side at its exact commit. Both sides share the object store, so the
// second side costs no download, and an existing clone is reused when a job resumes.

export type Worktrees = Record<SideName, string>;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function hasCommit(repoDir: string, sha: string): Promise<boolean> {
  return (await git(['cat-file', '-e', `${sha}^{commit}`], repoDir)).ok;
}

/**
 * A runner killed in the middle of a git command (a preemption, the worker killed) leaves git's
 * lock files, and every later git command in the clone or its worktrees refuses to run; a killed
 * `git worktree add` leaves its worktree marked `locked`, which `git worktree prune` then keeps.
 * The job's folder belongs to one runner at a time and the previous one is dead, so nothing here
 * is held by anyone.
 */
async function removeStaleLocks(gitDir: string, log: (line: string) => void): Promise<void> {
  const locks: string[] = [];
  for (const entry of await readdir(gitDir, { withFileTypes: true })) {
    if (entry.name === 'objects') continue;
    if (entry.isFile() && entry.name.endsWith('.lock')) locks.push(join(gitDir, entry.name));
    if (!entry.isDirectory()) continue;
    for (const inner of await readdir(join(gitDir, entry.name), { withFileTypes: true, recursive: true })) {
      const stale = inner.name.endsWith('.lock') || (entry.name === 'worktrees' && inner.name === 'locked');
      if (inner.isFile() && stale) locks.push(join(inner.parentPath, inner.name));
    }
  }
  if (locks.length === 0) return;
  await Promise.all(locks.map((lock) => rm(lock, { force: true })));
  log(`removed ${locks.length} lock files a killed git left in ${gitDir}`);
}

async function ensureClone(url: string, repoDir: string, log: (line: string) => void): Promise<void> {
  if (await exists(join(repoDir, '.git'))) {
    const origin = await git(['remote', 'get-url', 'origin'], repoDir);
    if (origin.ok && origin.stdout === url) {
      log(`reusing the clone in ${repoDir}`);
      await removeStaleLocks(join(repoDir, '.git'), log);
      return;
    }
    await rm(repoDir, { recursive: true, force: true });
  }
  log(`cloning ${url}`);
  await mkdir(repoDir, { recursive: true });
  const clone = await git(['clone', '--quiet', '--no-checkout', url, repoDir]);
  if (!clone.ok) throw new Error(`could not clone ${url}: ${clone.stderr}`);
}

// A PR head or a commit on a deleted branch is not in a plain clone; ask for it by SHA (GitHub
// serves reachable commits that way) and by ref (refs/pull/N/head, a tag).
async function ensureCommit(url: string, repoDir: string, side: SideName, spec: JobSide): Promise<void> {
  if (await hasCommit(repoDir, spec.sha)) return;
  await git(['fetch', '--quiet', 'origin', spec.sha], repoDir);
  if (await hasCommit(repoDir, spec.sha)) return;
  await git(['fetch', '--quiet', 'origin', spec.ref], repoDir);
  if (await hasCommit(repoDir, spec.sha)) return;
  throw new CodeUnderTestError(
    { kind: 'missing-commit', side, ref: spec.ref, sha: spec.sha, url },
    `commit ${spec.sha} (${side}: ${spec.ref}) is not in ${url}: was the branch force-pushed? ` +
      'Ask again to benchmark the current head.',
  );
}

async function ensureWorktree(repoDir: string, dir: string, sha: string): Promise<void> {
  if (await exists(dir)) {
    const head = await git(['rev-parse', 'HEAD'], dir);
    if (head.ok && head.stdout === sha) {
      // Keep untracked build output (target/) for a fast rebuild; restore tracked files a killed
      // run may have left half-written.
      await gitOrThrow(['reset', '--quiet', '--hard', sha], dir);
      return;
    }
    await rm(dir, { recursive: true, force: true });
  }
  await gitOrThrow(['worktree', 'prune'], repoDir);
  await gitOrThrow(['worktree', 'add', '--quiet', '--detach', dir, sha], repoDir);
  if (await exists(join(dir, '.gitmodules'))) {
    await gitOrThrow(['submodule', 'update', '--quiet', '--init', '--recursive'], dir);
  }
}

/** Clones (or reuses) the repository under workDir and checks out both sides. */
export async function prepareWorktrees(
  spec: Pick<JobSpec, 'url' | 'sides'>,
  workDir: string,
  log: (line: string) => void,
): Promise<Worktrees> {
  const repoDir = join(workDir, 'repo');
  await ensureClone(spec.url, repoDir, log);
  // Paths of equal length: a path is in the environment (PWD) and in the program's own strings,
  // and a length that differs by side can shift memory layout and with it the timings.
  const worktrees = { baseline: join(workDir, 'a'), changed: join(workDir, 'b') };
  for (const side of SIDES) {
    await ensureCommit(spec.url, repoDir, side, spec.sides[side]);
    await ensureWorktree(repoDir, worktrees[side], spec.sides[side].sha);
    log(`${side}: ${spec.sides[side].ref} at ${spec.sides[side].sha.slice(0, 12)} in ${worktrees[side]}`);
  }
  return worktrees;
}
