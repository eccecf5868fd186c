import { type BenchbotConfig, findRepo } from '../../core/config/index.js';

// Which stored history a CI step records into or compares against: the repository, the branch
// and the platform. Inside GitHub Actions the repository and branch default to the ones the job
// runs for, so a workflow step needs no flags; elsewhere they are required.

export interface TargetOptions {
  repo?: string;
  branch?: string;
  platform?: string;
}

export interface Target {
  repo: string;
  branch: string;
  platform: string;
}

/** The target, or a message naming the missing flag (and the variable that would have set it). */
export function resolveTarget(
  config: BenchbotConfig,
  options: TargetOptions,
  env: NodeJS.ProcessEnv,
): Target | string {
  const repo = options.repo ?? nonEmpty(env.GITHUB_REPOSITORY);
  if (repo === undefined)
    return '--repo is missing: pass --repo owner/name (GITHUB_REPOSITORY sets it in GitHub Actions)';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) return `--repo ${repo}: expected owner/name, e.g. acme/app`;
  const branch = options.branch ?? nonEmpty(env.GITHUB_REF_NAME);
  if (branch === undefined)
    return '--branch is missing: pass --branch NAME (GITHUB_REF_NAME sets it in GitHub Actions)';
  const platform = options.platform ?? findRepo(config, repo)?.platforms[0];
  if (platform === undefined) {
    return `--platform is missing: ${repo} is not in the config, so pass the platform the results were measured on, e.g. --platform x86-64-linux`;
  }
  return { repo, branch, platform };
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
