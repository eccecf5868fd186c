import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseJobSpec } from '../core/job-spec.js';
import { RUNNER_EXIT } from '../core/runner-protocol.js';
import { killRunningCommands } from './exec.js';
import { runJob } from './run-job.js';

const EXIT_CODES_HELP = `
Output (in --out DIR):
  results.json     benchbot-results file with both sides; samples carry round and attempt
  checkpoint.json  progress after each benchmark; run again with the same --out to resume
  failure.json     on exit 3: { kind: build | missing-commit, side, ref, sha, exitCode, logTail, ... }
  logs/            build and benchmark logs
stdout carries progress as JSON lines ({"type":"progress",...} and {"type":"checkpoint",...});
everything for humans goes to stderr.

Exit codes:
  0  results written (benchmarks that crashed or timed out are recorded as failed in them)
  1  infrastructure failure (clone, disk, signal, runner bug): retry; the rerun resumes
  2  unusable input (spec, options, a checkpoint from another spec): retrying changes nothing
  3  the code under test: a build failed or a commit is missing; details in failure.json`;

function cpuList(text: string): number[] {
  const cpus = text.split(',').map((part) => Number(part.trim()));
  if (cpus.length === 0 || cpus.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError('expected CPU numbers separated by commas, e.g. 2,3');
  }
  return cpus;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

async function runnerVersion(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8').catch(() => null);
  const version = text === null ? undefined : (JSON.parse(text) as { version?: unknown }).version;
  return `benchbot-runner ${typeof version === 'string' ? version : 'unknown'}`;
}

interface CliOptions {
  spec: string;
  out: string;
  workDir?: string;
  checkpoint?: string;
  attempt?: number;
  cpus?: number[];
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('benchbot-runner')
    .description(
      'Build two git refs and run their benchmarks interleaved A/B; writes a benchbot results file.',
    )
    .requiredOption('--spec <file>', 'job spec (JSON, specVersion 1)')
    .requiredOption('--out <dir>', 'output directory: results.json, checkpoint.json, failure.json, logs/')
    .option('--work-dir <dir>', 'where to clone and check out the sides (default: <out>/work)')
    .option('--checkpoint <file>', 'resume from this checkpoint (default: <out>/checkpoint.json)')
    .option(
      '--attempt <n>',
      "attempt number recorded on each sample (default: the checkpoint's + 1)",
      positiveInt,
    )
    .option(
      '--cpus <list>',
      "pin benchmark runs to these CPUs with taskset, e.g. 2,3 (overrides the spec's pinCpus)",
      cpuList,
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? RUNNER_EXIT.ok : RUNNER_EXIT.invalidInput;
    throw error;
  }
  const opts = program.opts<CliOptions>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const specText = await readFile(opts.spec, 'utf8').catch((error: Error) => {
    log(`error: cannot read the spec: ${error.message}`);
    return null;
  });
  if (specText === null) return RUNNER_EXIT.invalidInput;
  const parsed = parseJobSpec(specText, opts.spec);
  if (!parsed.ok) {
    for (const error of parsed.errors) log(`error: ${error}`);
    return RUNNER_EXIT.invalidInput;
  }
  return runJob({
    spec: parsed.spec,
    outDir: resolve(opts.out),
    ...(opts.workDir === undefined ? {} : { workDir: resolve(opts.workDir) }),
    ...(opts.checkpoint === undefined ? {} : { checkpointFile: resolve(opts.checkpoint) }),
    ...(opts.attempt === undefined ? {} : { attempt: opts.attempt }),
    ...(opts.cpus === undefined ? {} : { pinCpus: opts.cpus }),
    runnerVersion: await runnerVersion(),
    writeProgress: (line) => process.stdout.write(line),
    log,
    now: () => new Date(),
  });
}

// Kubernetes sends SIGTERM before it kills a preempted pod; the commands run in their own process
// groups, so they are stopped here or they would outlive the runner.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killRunningCommands();
    process.stderr.write(`interrupted by ${signal}; run again with the same --out to resume\n`);
    process.exit(RUNNER_EXIT.infrastructure);
  });
}

process.exitCode = await main(process.argv.slice(2));
