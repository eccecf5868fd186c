import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../adapters/project-root.js';

/**
 * The temporal CLI benchbot runs: $TEMPORAL_CLI if set, else the one `npm run setup` linked at
 * tools/bin/temporal. Setup is where PATH and the per-user cache are searched, so there is one
 * place that decides.
 */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(
        `TEMPORAL_CLI=${fromEnv} does not exist. Fix: point it at a temporal CLI >= 1.5, or unset it.`,
      );
    }
    return fromEnv;
  }
  const linked = join(projectRoot, 'tools', 'bin', 'temporal');
  if (!existsSync(linked)) {
    throw new Error(
      'the temporal CLI is not set up (tools/bin/temporal is missing). Fix: run `npm run setup`.',
    );
  }
  return linked;
}

export function temporalCliVersion(path: string): string {
  const out = execFileSync(path, ['--version'], { encoding: 'utf8' });
  return /temporal version (\S+)/.exec(out)?.[1] ?? out.trim();
}
