import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openResultsStore, type ResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import {
  parseProfileManifest,
  profileFileName,
  runProfileKey,
  runProfileManifestKey,
} from '../../core/profile/manifest.js';

/**
 * `benchbot profile save RUN --out DIR`: writes a recorded run's profiles as
 * DIR/<benchmark>.<side>.pprof, for `benchbot profile diff` or `go tool pprof`. Exit 0, 1 when the
 * run has none, 2 for a bad option.
 */
export async function profileSave(
  config: BenchbotConfig,
  runId: string,
  options: { out: string; platform?: string },
): Promise<number> {
  let store: ResultsStore;
  try {
    store = await openResultsStore(config, process.env, { readonly: true });
  } catch (err) {
    console.error(`cannot read the results store: ${(err as Error).message}`);
    return 1;
  }
  try {
    const run = await store.getRun(runId);
    if (run === null) {
      console.error(`no run ${JSON.stringify(runId)} is recorded; \`benchbot runs\` lists the recorded ones`);
      return 1;
    }
    const platforms = run.platforms.map((p) => p.platform);
    const platform = options.platform ?? (platforms.length === 1 ? platforms[0] : undefined);
    if (platform === undefined || !platforms.includes(platform)) {
      console.error(`run ${runId} ran on ${platforms.join(', ')}; pick one with --platform`);
      return 2;
    }
    const manifest = await store.getArtifact(runProfileManifestKey(runId, platform));
    const parsed = manifest === null ? null : parseProfileManifest(manifest.toString('utf8'), 'manifest');
    if (parsed === null || !parsed.ok) {
      console.error(
        `run ${runId} has no profiles on ${platform}; a benchmark takes them when benchbot.yaml gives it a profile`,
      );
      return 1;
    }
    await mkdir(options.out, { recursive: true });
    for (const entry of parsed.manifest.profiles)
      for (const side of entry.sides) {
        const data = await store.getArtifact(runProfileKey(runId, platform, entry.benchmark, side));
        if (data === null) continue;
        const file = join(options.out, profileFileName(entry.benchmark, side));
        await writeFile(file, data);
        console.log(file);
      }
    return 0;
  } finally {
    await store.close();
  }
}
