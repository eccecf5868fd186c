import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from '../../core/checkpoint.js';
import {
  benchmarkResults,
  jobProfileKey,
  jobProfileManifestKey,
  PROFILE_MANIFEST_FILE,
  type ProfileManifest,
  parseProfileManifest,
  profileFileName,
  runProfileKey,
  runProfileManifestKey,
  serializeProfileManifest,
} from '../../core/profile/manifest.js';
import type { SideName } from '../../core/results/schema.js';
import type { StoreAccess } from '../results-store/access.js';

// A job's profiles on their way from the runner's folder to the results store, next to (never
// inside) its results: a profile is up to megabytes, so like the results it travels by reference
// and Temporal only ever sees the job key.

export interface ProfileFile {
  benchmark: string;
  side: SideName;
  data: Buffer;
}

export interface JobProfiles {
  manifest: ProfileManifest;
  files: ProfileFile[];
}

/** The profiles the runner left in `outDir/profiles`, or null when it took none. */
export async function readJobProfiles(outDir: string): Promise<JobProfiles | null> {
  const dir = join(outDir, 'profiles');
  const text = await readFile(join(dir, PROFILE_MANIFEST_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = parseProfileManifest(text, PROFILE_MANIFEST_FILE);
  if (!parsed.ok) throw new Error(`the runner wrote an unreadable profile manifest: ${parsed.error}`);
  const files: ProfileFile[] = [];
  for (const entry of parsed.manifest.profiles)
    for (const side of entry.sides)
      files.push({
        benchmark: entry.benchmark,
        side,
        data: await readFile(join(dir, profileFileName(entry.benchmark, side))),
      });
  return { manifest: parsed.manifest, files };
}

/**
 * The profiles that came through a pod's log (runner/pod-entrypoint.ts), or null when none did. A
 * side whose frame was lost is left out; the results of each benchmark come from the executor's
 * whole checkpoint, since a resumed pod saw only its own rounds.
 */
export function profilesFromFrames(
  frames: ReadonlyMap<string, Buffer>,
  checkpoint: Checkpoint,
): JobProfiles | null {
  const text = frames.get(`profiles/${PROFILE_MANIFEST_FILE}`);
  if (text === undefined) return null;
  const parsed = parseProfileManifest(text.toString('utf8'), PROFILE_MANIFEST_FILE);
  if (!parsed.ok) return null;
  const files: ProfileFile[] = [];
  const profiles = parsed.manifest.profiles.flatMap((entry) => {
    const sides = entry.sides.filter((side) => {
      const data = frames.get(`profiles/${profileFileName(entry.benchmark, side)}`);
      if (data !== undefined) files.push({ benchmark: entry.benchmark, side, data });
      return data !== undefined;
    });
    return sides.length === 0
      ? []
      : [{ ...entry, sides, results: benchmarkResults(checkpoint, entry.benchmark) }];
  });
  return profiles.length === 0 ? null : { manifest: { profiles }, files };
}

/** Keeps a job's profiles as its artifacts; the manifest goes last, so it never names a missing file. */
export async function putJobProfiles(
  store: StoreAccess,
  jobKey: string,
  profiles: JobProfiles,
): Promise<void> {
  for (const file of profiles.files)
    await store.use((s) => s.putArtifact(jobProfileKey(jobKey, file.benchmark, file.side), file.data));
  const manifest = Buffer.from(serializeProfileManifest(profiles.manifest));
  await store.use((s) => s.putArtifact(jobProfileManifestKey(jobKey), manifest));
}

async function loadManifest(store: StoreAccess, key: string): Promise<ProfileManifest | null> {
  const data = await store.use((s) => s.getArtifact(key));
  if (data === null) return null;
  const parsed = parseProfileManifest(data.toString('utf8'), key);
  return parsed.ok ? parsed.manifest : null;
}

export interface StoredProfiles {
  manifest: ProfileManifest;
  load(benchmark: string, side: SideName): Promise<Buffer | null>;
}

/** A job's profiles in the store (before its run is recorded), or null when it has none. */
export async function jobProfiles(store: StoreAccess, jobKey: string): Promise<StoredProfiles | null> {
  const manifest = await loadManifest(store, jobProfileManifestKey(jobKey));
  if (manifest === null) return null;
  return { manifest, load: (b, side) => store.use((s) => s.getArtifact(jobProfileKey(jobKey, b, side))) };
}

/** A recorded run's profiles of one platform, or null when it has none. */
export async function runProfiles(
  store: StoreAccess,
  runId: string,
  platform: string,
): Promise<StoredProfiles | null> {
  const manifest = await loadManifest(store, runProfileManifestKey(runId, platform));
  if (manifest === null) return null;
  return {
    manifest,
    load: (b, side) => store.use((s) => s.getArtifact(runProfileKey(runId, platform, b, side))),
  };
}

/**
 * Copies a job's profiles to the recorded run's keys, before the job's artifacts are removed; a
 * retry copies the same bytes again.
 */
export async function keepRunProfiles(
  store: StoreAccess,
  jobKey: string,
  runId: string,
  platform: string,
): Promise<void> {
  const profiles = await jobProfiles(store, jobKey);
  if (profiles === null) return;
  for (const entry of profiles.manifest.profiles)
    for (const side of entry.sides) {
      const data = await profiles.load(entry.benchmark, side);
      if (data !== null)
        await store.use((s) => s.putArtifact(runProfileKey(runId, platform, entry.benchmark, side), data));
    }
  const manifest = Buffer.from(serializeProfileManifest(profiles.manifest));
  await store.use((s) => s.putArtifact(runProfileManifestKey(runId, platform), manifest));
}
