import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Checkpoint } from '../core/checkpoint.js';
import type { JobBenchmark, JobSpec } from '../core/job-spec.js';
import {
  benchmarkResults,
  PROFILE_MANIFEST_FILE,
  type ProfileManifestEntry,
  profileFileName,
  serializeProfileManifest,
} from '../core/profile/manifest.js';
import { SIDES, type SideName } from '../core/results/schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { describeOutcome, mergeEnv, runCommand } from './exec.js';
import type { Progress } from './progress.js';
import type { Worktrees } from './workspace.js';

// A benchmark's CPU profile is taken in one extra run per side after all measured rounds of the job,
// so profiling never slows a timed run. What is captured is a file under <out>/profiles; a resumed
// job captures what is not there yet (measured rounds are never redone for it). A profile that
// cannot be taken is a warning, never a failed benchmark.

/** Bigger than any CPU profile of a benchmark; a file this large is not one. */
export const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

/** Where the runner keeps a captured profile: the executors read it from here. */
export function profilePath(outDir: string, benchmark: string, side: SideName): string {
  return join(outDir, 'profiles', profileFileName(benchmark, side));
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The finished benchmarks that ask for a profile and miss one of its sides. */
export async function profilesToCapture(
  spec: JobSpec,
  checkpoint: Checkpoint,
  outDir: string,
): Promise<JobBenchmark[]> {
  const left: JobBenchmark[] = [];
  for (const benchmark of spec.benchmarks) {
    if (benchmark.profile === undefined) continue;
    const entry = checkpoint.benchmarks.find((b) => b.name === benchmark.name);
    if (entry?.status !== 'ok') continue;
    const sides = await Promise.all(SIDES.map((side) => exists(profilePath(outDir, benchmark.name, side))));
    if (sides.includes(false)) left.push(benchmark);
  }
  return left;
}

export interface ProfileContext {
  spec: Pick<JobSpec, 'sides'>;
  worktrees: Worktrees;
  pinCpus: readonly number[] | null;
  outDir: string;
  logDir: string;
  progress: Progress;
  log: (line: string) => void;
}

/** Runs the profile command on a side that has no profile yet; a warning when it could not. */
async function captureSide(
  ctx: ProfileContext,
  benchmark: JobBenchmark,
  side: SideName,
): Promise<string | null> {
  const profile = benchmark.profile;
  const target = profilePath(ctx.outDir, benchmark.name, side);
  if (profile === undefined || (await exists(target))) return null;
  const cwd = resolve(ctx.worktrees[side], benchmark.workdir);
  const produced = resolve(cwd, profile.path);
  await rm(produced, { force: true });
  ctx.progress.start({ phase: 'profile', side, benchmark: benchmark.name });
  const timeoutMs = benchmark.timeoutSeconds * 1000;
  const outcome = await runCommand({
    command: profile.command,
    cwd,
    env: mergeEnv(process.env, benchmark.env, ctx.spec.sides[side].env, {
      BENCHBOT_SIDE: side,
      BENCHBOT_PHASE: 'profile',
      BENCHBOT_BENCHMARK: benchmark.name,
    }),
    timeoutMs,
    logFile: join(ctx.logDir, `${benchmark.name}.log`),
    logHeader: `${benchmark.name} ${side} profile`,
    pinCpus: ctx.pinCpus,
  });
  ctx.progress.advance();
  const what = `${benchmark.name}: no ${side} profile`;
  if (outcome.exitCode !== 0 || outcome.timedOut)
    return `${what}: the profile command ${describeOutcome(outcome, timeoutMs)}`;
  const info = await stat(produced).catch(() => null);
  if (info === null || !info.isFile())
    return `${what}: the profile command left nothing at ${join(benchmark.workdir, profile.path)}; check profile.path in benchbot.yaml`;
  if (info.size > MAX_PROFILE_BYTES)
    return `${what}: ${profile.path} has ${info.size} bytes, more than a CPU profile's ${MAX_PROFILE_BYTES}`;
  await mkdir(join(ctx.outDir, 'profiles'), { recursive: true });
  // Copied under a temporary name first: a file at `target` is always a whole profile.
  await copyFile(produced, `${target}.tmp`);
  await rename(`${target}.tmp`, target);
  ctx.log(`${benchmark.name}: ${side} profile taken (${info.size} bytes)`);
  return null;
}

/**
 * Takes the missing profiles of `benchmarks` (from profilesToCapture), both sides each, and adds a
 * warning to the benchmark's checkpoint entry for each side that failed.
 */
export async function captureProfiles(
  ctx: ProfileContext,
  benchmarks: readonly JobBenchmark[],
  checkpoint: Checkpoint,
): Promise<void> {
  for (const benchmark of benchmarks) {
    const entry = checkpoint.benchmarks.find((b) => b.name === benchmark.name);
    for (const side of SIDES) {
      const warning = await captureSide(ctx, benchmark, side);
      if (warning === null) continue;
      ctx.log(`warning: ${warning}`);
      if (entry !== undefined && !entry.warnings.includes(warning)) entry.warnings.push(warning);
    }
  }
}

/** Lists the profiles taken (see core/profile/manifest.ts) with the results of their benchmarks. */
export async function writeProfileManifest(
  spec: JobSpec,
  checkpoint: Checkpoint,
  outDir: string,
): Promise<void> {
  const profiles: ProfileManifestEntry[] = [];
  for (const benchmark of spec.benchmarks) {
    if (benchmark.profile === undefined) continue;
    const sides: SideName[] = [];
    for (const side of SIDES) if (await exists(profilePath(outDir, benchmark.name, side))) sides.push(side);
    if (sides.length === 0) continue;
    profiles.push({
      benchmark: benchmark.name,
      sides,
      results: benchmarkResults(checkpoint, benchmark.name),
    });
  }
  if (profiles.length === 0) return;
  await writeFileAtomic(
    join(outDir, 'profiles', PROFILE_MANIFEST_FILE),
    serializeProfileManifest({ profiles }),
  );
}
