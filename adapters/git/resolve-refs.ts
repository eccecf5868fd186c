import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { UNKNOWN_REF, UNKNOWN_REPOSITORY } from '../../core/request/contract.js';

const run = promisify(execFile);

async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * A bare mirror of the repository's branches and tags, kept between requests so resolving a ref
 * costs one incremental fetch.
 */
export async function refreshMirror(url: string, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.git`);
  await mkdir(dir, { recursive: true });
  await git(['init', '--bare', '--quiet', dir]);
  try {
    await git(
      ['fetch', '--quiet', '--prune', '--', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'],
      dir,
    );
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `could not fetch ${url}: ${(err as Error).message.split('\n').slice(-3).join(' ')}. Fix: check the repository URL or path.`,
      UNKNOWN_REPOSITORY,
    );
  }
  return dir;
}

/** The commit a branch, tag or (abbreviated) SHA names in the repository at `url`. */
export async function resolveRefs(
  url: string,
  refs: readonly string[],
  cacheDir: string,
): Promise<Map<string, string>> {
  const mirror = await refreshMirror(url, cacheDir);
  const resolved = new Map<string, string>();
  for (const ref of refs) {
    try {
      resolved.set(
        ref,
        await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], mirror),
      );
    } catch {
      throw ApplicationFailure.nonRetryable(
        `\`${ref}\` is not a branch, tag or commit of ${url}. Fix: name one that exists (a full SHA always works).`,
        UNKNOWN_REF,
      );
    }
  }
  return resolved;
}

/** A commit of a branch's first-parent history (the commits that landed on it, merges included once). */
export interface BranchCommit {
  sha: string;
  parents: number;
  /** Committer time, epoch seconds. */
  committedAt: number;
  subject: string;
}

// Enough for any backlog a trunk schedule can build up; older commits are never candidates.
const MAX_LISTED_COMMITS = 5000;

/**
 * The first-parent commits of `branch` in a refreshed mirror, oldest first: those after `after`
 * (exclusive), or the newest ones when `after` is null or no longer in the history (a force push).
 * `since` (epoch seconds) drops older commits. `continued` says whether the list starts after `after`.
 */
export async function branchCommits(
  mirror: string,
  branch: string,
  options: { after: string | null; since?: number },
): Promise<{ commits: BranchCommit[]; continued: boolean }> {
  const head = `refs/heads/${branch}`;
  try {
    await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${head}^{commit}`], mirror);
  } catch {
    throw ApplicationFailure.nonRetryable(
      `the repository has no branch ${branch}. Fix: set the schedule's branch to one that exists.`,
      UNKNOWN_REF,
    );
  }
  let range = head;
  if (options.after !== null) {
    const known = await git(['cat-file', '-t', options.after], mirror).catch(() => '');
    const ancestor =
      known === 'commit' &&
      (await git(['merge-base', '--is-ancestor', options.after, head], mirror).then(
        () => true,
        () => false,
      ));
    if (ancestor) range = `${options.after}..${head}`;
  }
  const out = await git(
    [
      'log',
      '--first-parent',
      `--max-count=${MAX_LISTED_COMMITS}`,
      ...(options.since === undefined ? [] : [`--since=@${options.since}`]),
      '--format=%H%x1f%P%x1f%ct%x1f%s%x1e',
      range,
      '--',
    ],
    mirror,
  );
  const commits = out
    .split('\x1e')
    .map((record) => record.trim())
    .filter((record) => record !== '')
    .map((record) => {
      const [sha = '', parents = '', time = '0', subject = ''] = record.split('\x1f');
      return {
        sha,
        parents: parents.split(' ').filter((p) => p !== '').length,
        committedAt: Number(time),
        subject,
      };
    })
    .reverse();
  return { commits, continued: range !== head };
}
