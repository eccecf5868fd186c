import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { CheckpointBenchmark, RoundImport } from '../core/checkpoint.js';
import type { JobBenchmark, JobSpec } from '../core/job-spec.js';
import { importResults } from '../core/results/importers/index.js';
import type { ImportedBenchmark } from '../core/results/importers/types.js';
import { formatIssue, type SideName } from '../core/results/schema.js';
import { describeOutcome, mergeEnv, runCommand } from './exec.js';
import { planRuns } from './interleave.js';
import { clearOutput, findOutputFiles } from './output-files.js';
import type { Progress } from './progress.js';
import type { Worktrees } from './workspace.js';

export interface BenchmarkContext {
  spec: Pick<JobSpec, 'sides' | 'order'>;
  worktrees: Worktrees;
  attempt: number;
  pinCpus: readonly number[] | null;
  logDir: string;
  progress: Progress;
  log: (line: string) => void;
}

type RunResult =
  | { ok: true; imported: ImportedBenchmark[]; warnings: string[] }
  | { ok: false; reason: string; logTail?: string };

// Two benchmarks of the config may report the same inner names (tpch and tpch10 both have
// "Query 1"); the config name as group keeps them apart.
function inGroup(imported: readonly ImportedBenchmark[], name: string): ImportedBenchmark[] {
  return imported.map((b) =>
    b.group.name === undefined && b.name !== name ? { ...b, group: { ...b.group, name } } : b,
  );
}

async function readOutput(benchmark: JobBenchmark, cwd: string, worktree: string): Promise<RunResult> {
  const { path, format } = benchmark.output;
  if (path === null || format === 'wall-clock') return { ok: false, reason: 'wall-clock output has no file' };
  const files = await findOutputFiles(format, resolve(cwd, path));
  if (files.length === 0) {
    return {
      ok: false,
      reason: `the command succeeded but left no ${format} output at ${join(benchmark.workdir, path)}; check output.path in benchbot.yaml`,
    };
  }
  const imported: ImportedBenchmark[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const name = relative(worktree, file).split(sep).join('/');
    const result = importResults(await readFile(file, 'utf8'), name, format);
    if (!result.ok)
      return { ok: false, reason: `cannot read ${name}: ${result.errors.map(formatIssue).join('; ')}` };
    imported.push(...result.benchmarks);
    warnings.push(...result.warnings.map(formatIssue));
  }
  return { ok: true, imported: inGroup(imported, benchmark.name), warnings };
}

function wallClock(benchmark: JobBenchmark, elapsedNs: bigint): ImportedBenchmark {
  return {
    name: benchmark.name,
    group: { kind: 'benchmark' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples: [Number(elapsedNs)],
    rawSamples: true,
    status: 'ok',
  };
}

/**
 * Runs one benchmark's warm-ups, then the measured rounds that `entry` does not hold yet (a resumed
 * benchmark keeps the rounds it measured before; its warm-ups run again, on whatever machine this
 * is). Each round, both sides, is added to `entry` and handed to `onRound` (the runner checkpoints
 * there). A crash, a timeout or unreadable output fails this benchmark only (with the log tail);
 * the caller goes on with the next.
 */
export async function runBenchmark(
  ctx: BenchmarkContext,
  benchmark: JobBenchmark,
  entry: CheckpointBenchmark,
  onRound: (round: number) => Promise<void>,
): Promise<void> {
  const { spec, attempt } = ctx;
  const timeoutMs = benchmark.timeoutSeconds * 1000;
  const logFile = join(ctx.logDir, `${benchmark.name}.log`);
  const measured = new Set(entry.rounds.map((r) => r.round));
  const all = planRuns(spec.order, benchmark.name, benchmark.warmups, benchmark.iterations);
  const plan = all.filter((run) => run.phase === 'warmup' || !measured.has(run.round));
  if (!plan.some((run) => run.phase === 'run')) {
    // Every round was measured before the stop: nothing to warm up for.
    ctx.progress.advance(all.length);
    entry.status = 'ok';
    return;
  }
  ctx.progress.advance(all.length - plan.length);
  // A failed benchmark's remaining runs will not happen; count them done so progress keeps moving.
  const fail = (index: number, reason: string, logTail?: string) => {
    ctx.progress.advance(plan.length - index - 1);
    entry.status = 'failed';
    entry.failure = logTail === undefined || logTail === '' ? { reason } : { reason, logTail };
    entry.rounds = [];
  };
  let round: RoundImport[] = [];
  let roundNs = 0n;
  for (const [index, run] of plan.entries()) {
    const side: SideName = run.side;
    const worktree = ctx.worktrees[side];
    const cwd = resolve(worktree, benchmark.workdir);
    ctx.progress.start({
      phase: run.phase,
      side,
      benchmark: benchmark.name,
      round: run.round,
      rounds: run.phase === 'warmup' ? benchmark.warmups : benchmark.iterations,
    });
    if (benchmark.output.path !== null) await clearOutput(resolve(cwd, benchmark.output.path));
    const outcome = await runCommand({
      command: benchmark.command,
      cwd,
      env: mergeEnv(process.env, benchmark.env, spec.sides[side].env, {
        BENCHBOT_SIDE: side,
        BENCHBOT_ROUND: String(run.round),
        BENCHBOT_PHASE: run.phase,
        BENCHBOT_BENCHMARK: benchmark.name,
      }),
      timeoutMs,
      logFile,
      logHeader: `${benchmark.name} ${side} ${run.phase} round ${run.round} attempt ${attempt}`,
      pinCpus: ctx.pinCpus,
    });
    ctx.progress.advance();
    const label = `${side} ${run.phase === 'warmup' ? 'warm-up' : 'round'} ${run.round}`;
    if (outcome.exitCode !== 0 || outcome.timedOut) {
      ctx.log(`${benchmark.name}: ${label} ${describeOutcome(outcome, timeoutMs)}`);
      return fail(
        index,
        `${label} (${spec.sides[side].ref}) ${describeOutcome(outcome, timeoutMs)}`,
        outcome.logTail,
      );
    }
    if (run.phase === 'warmup' && benchmark.output.path === null) continue;
    const result =
      benchmark.output.path === null
        ? { ok: true as const, imported: [wallClock(benchmark, outcome.elapsedNs)], warnings: [] }
        : await readOutput(benchmark, cwd, worktree);
    if (!result.ok) return fail(index, `${label}: ${result.reason}`, outcome.logTail);
    if (run.phase === 'warmup') continue;
    for (const warning of result.warnings) {
      const line = `${benchmark.name}: ${warning}`;
      if (!entry.warnings.includes(line)) entry.warnings.push(line);
    }
    round.push({ side, benchmarks: result.imported });
    roundNs += outcome.elapsedNs;
    const next = plan[index + 1];
    if (next === undefined || next.round !== run.round || next.phase !== 'run') {
      entry.rounds.push({
        round: run.round,
        attempt,
        imports: round,
        elapsedMs: Number(roundNs / 1000n) / 1000,
      });
      round = [];
      roundNs = 0n;
      await onRound(run.round);
    }
  }
  entry.status = 'ok';
}
