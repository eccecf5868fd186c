import { z } from 'zod';
import type { Checkpoint } from '../checkpoint.js';
import { parseJsonWith } from '../results/importers/json-text.js';
import { formatIssue, SIDES, type SideName } from '../results/schema.js';

// Which profiles a job took: per configured benchmark, the sides captured and the results it
// produced (a `tpch` run reports `Query 1`...), so a report can tell which profile belongs to a
// benchmark that changed. The runner writes it next to the profiles; the worker keeps it with them.

export const PROFILE_MANIFEST_FILE = 'manifest.json';

/** The file a profile of one benchmark's side has in the runner's profiles folder. */
export const profileFileName = (benchmark: string, side: SideName) => `${benchmark}.${side}.pprof`;

const resultSchema = z.strictObject({
  name: z.string().min(1),
  group: z.strictObject({ kind: z.string().min(1), name: z.string().optional() }),
});

const entrySchema = z.strictObject({
  benchmark: z.string().min(1),
  sides: z.array(z.enum(SIDES)),
  results: z.array(resultSchema),
});

const manifestSchema = z.strictObject({ profiles: z.array(entrySchema) });

export type ProfileManifest = z.infer<typeof manifestSchema>;
export type ProfileManifestEntry = z.infer<typeof entrySchema>;
export type ProfiledResult = z.infer<typeof resultSchema>;

export function parseProfileManifest(
  text: string,
  file: string,
): { ok: true; manifest: ProfileManifest } | { ok: false; error: string } {
  const parsed = parseJsonWith(text, file, manifestSchema);
  return parsed.ok
    ? { ok: true, manifest: parsed.value }
    : { ok: false, error: parsed.errors.map(formatIssue).join('; ') };
}

export const serializeProfileManifest = (manifest: ProfileManifest) => `${JSON.stringify(manifest)}\n`;

/** A result's identity as the manifest and a comparison both know it. */
export const resultKey = (r: { name: string; group: { kind: string; name?: string | undefined } }) =>
  JSON.stringify([r.name, r.group.kind, r.group.name ?? null]);

// Where profiles are kept in the results store's artifacts. A job's go with its other artifacts
// (claim check: removed once the run is recorded); a recorded run's stay, under its id.
export const jobProfileKey = (jobKey: string, benchmark: string, side: SideName) =>
  `${jobKey}:profile:${benchmark}:${side}`;
export const jobProfileManifestKey = (jobKey: string) => `${jobKey}:profiles`;
export const runProfileKey = (runId: string, platform: string, benchmark: string, side: SideName) =>
  `profiles/${runId}/${platform}/${profileFileName(benchmark, side)}`;
export const runProfileManifestKey = (runId: string, platform: string) =>
  `profiles/${runId}/${platform}/${PROFILE_MANIFEST_FILE}`;

/** The results a benchmark produced, from the rounds of a checkpoint that still hold their samples. */
export function benchmarkResults(checkpoint: Checkpoint, benchmark: string): ProfiledResult[] {
  const results = new Map<string, ProfiledResult>();
  const entry = checkpoint.benchmarks.find((b) => b.name === benchmark);
  for (const round of entry?.rounds ?? [])
    for (const imported of round.imports ?? [])
      for (const b of imported.benchmarks) {
        const { kind, name } = b.group;
        const result = { name: b.name, group: name === undefined ? { kind } : { kind, name } };
        results.set(resultKey(result), result);
      }
  return [...results.values()];
}
