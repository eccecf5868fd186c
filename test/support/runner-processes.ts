import { readdir, readFile } from 'node:fs/promises';

/**
 * The runner processes of jobs under `dataDir`, running right now: the local executor marks their
 * environment with the job's folder. The node process itself, not the sandbox's wrappers (bwrap,
 * setpriv) that name it in their arguments.
 */
export async function runnerPids(dataDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const [environ, cmdline] = await Promise.all([
      readFile(`/proc/${entry}/environ`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''),
    ]);
    if (environ.includes(`BENCHBOT_JOB=${dataDir}`) && cmdline.split('\0')[1]?.endsWith('runner/bin.js'))
      pids.push(Number(entry));
  }
  return pids;
}
