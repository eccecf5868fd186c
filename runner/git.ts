import { execFile } from 'node:child_process';

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

// Never prompt for credentials: a runner has no terminal, and a prompt would hang the job.
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' };

/** Runs git without a shell; failures come back as values so callers can word them. */
export function git(args: readonly string[], cwd?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [...args],
      { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ ok: error === null, stdout: stdout.trim(), stderr: stderr.trim() });
      },
    );
  });
}

/** git, throwing an error that names the command and git's own complaint. */
export async function gitOrThrow(args: readonly string[], cwd?: string): Promise<string> {
  const result = await git(args, cwd);
  if (!result.ok) throw new Error(`git ${args.join(' ')} failed: ${result.stderr || 'no output'}`);
  return result.stdout;
}
