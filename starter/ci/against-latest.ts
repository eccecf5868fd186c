import type { BenchbotConfig } from '../../core/config/index.js';
import type { InputText } from '../../core/report/index.js';
import { latestStoredBaseline } from './stored-baseline.js';
import { resolveTarget } from './target.js';

/** The options of `benchbot compare` that choose a stored baseline. */
export interface AgainstOptions {
  against?: string;
  repo?: string;
  branch?: string;
  platform?: string;
  inputFormat?: string;
}

/**
 * The baseline of `benchbot compare --against latest NEW`: the newest stored run of the branch, as
 * a one-side results file. Null without --against (both sides are files); a message saying what is
 * wrong for options that do not go together or a branch with no stored run.
 */
export async function storedBaselineFor(
  changedPath: string | undefined,
  raw: AgainstOptions,
  loadConfig: () => Promise<BenchbotConfig>,
  env: NodeJS.ProcessEnv,
): Promise<InputText | string | null> {
  if (raw.against === undefined) {
    return raw.repo !== undefined || raw.branch !== undefined || raw.platform !== undefined
      ? '--repo, --branch and --platform choose the stored run of --against latest; add --against latest, or drop them'
      : null;
  }
  if (raw.against !== 'latest') {
    return `--against ${raw.against}: the one stored run to compare with is "latest" (the newest of the branch)`;
  }
  if (raw.inputFormat !== undefined) {
    return "--input-format does not go with --against latest: the stored run is a benchbot results file and the new file's format is detected; leave --input-format out";
  }
  if (changedPath !== undefined) {
    return '--against latest compares ONE new results file with the stored run: benchbot compare --against latest --repo R --branch B NEW';
  }
  const config = await loadConfig();
  const target = resolveTarget(config, raw, env);
  if (typeof target === 'string') return target;
  const stored = await latestStoredBaseline(config, target, env);
  if (typeof stored === 'string') return stored;
  console.error(`[benchbot] comparing with ${stored.input.file}`);
  return stored.input;
}
