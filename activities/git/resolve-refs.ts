import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';

const run = promisify(execFile);

async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * A bare mirror of the repository's branches and tags, kept between requests so resolving a ref
 * costs one incremental fetch.
 */
async function refreshMirror(url: string, cacheDir: string): Promise<string> {
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
      'UnknownRepository',
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
        'UnknownRef',
      );
    }
  }
  return resolved;
}
