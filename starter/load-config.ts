import { loadConfigFile } from '../adapters/config-file.js';
import { projectRoot } from '../adapters/project-root.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { formatConfigIssues } from '../core/config/index.js';

/** Loads the config for a command, or exits 2 naming the file, the place and the fix. */
export async function loadConfigOrExit(explicitPath?: string): Promise<BenchbotConfig> {
  return (await loadConfigAndFileOrExit(explicitPath)).config;
}

/** The config and the file it came from (which `benchbot start` keeps out of jobs' reach). */
export async function loadConfigAndFileOrExit(
  explicitPath?: string,
): Promise<{ config: BenchbotConfig; file: string }> {
  const loaded = await loadConfigFile({ path: explicitPath, env: process.env, cwd: projectRoot });
  if (!loaded.ok) {
    console.error(formatConfigIssues(loaded.issues));
    process.exit(2);
  }
  if (loaded.fellBackToExample) {
    console.error(
      `[benchbot] no benchbot.yaml found; using the shipped example ${loaded.file} (set BENCHBOT_CONFIG to use another)`,
    );
  }
  return { config: loaded.config, file: loaded.file };
}
