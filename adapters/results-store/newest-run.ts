import type { StoreAccess } from './access.js';
import type { RunOnPlatform } from './index.js';

function newestOf(runs: ReadonlyArray<RunOnPlatform | null>): RunOnPlatform | null {
  let best: RunOnPlatform | null = null;
  for (const run of runs) {
    if (run !== null && (best === null || Date.parse(run.run.recordedAt) > Date.parse(best.run.recordedAt)))
      best = run;
  }
  return best;
}

/** The newest run of a branch on any of the platforms; with `status`, only runs that ended so there. */
export async function newestRunOfBranch(
  store: StoreAccess,
  repository: string,
  branch: string,
  platforms: readonly string[],
  status?: 'ok',
): Promise<RunOnPlatform | null> {
  return newestOf(
    await store.use((s) =>
      Promise.all(
        platforms.map((platform) =>
          s.latestRun({ repository, branch, platform, ...(status ? { status } : {}) }),
        ),
      ),
    ),
  );
}
