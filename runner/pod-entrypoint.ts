import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type FramedFileName, frameFile } from '../core/pod-log-frames.js';
import { parseProgressLine, RUNNER_EXIT } from '../core/runner-protocol.js';

// The runner as a Kubernetes Job's container. The pod holds no credential (no service account
// token, no secrets), so files cannot be uploaded anywhere; instead everything the executor needs
// leaves through the container's log, which the executor reads with its own permissions:
//   - the runner's progress lines, passed through unchanged,
//   - the checkpoint after every finished benchmark (so a retry on another node resumes from it),
//   - results.json on exit 0, failure.json on exit 3,
// each file framed as in core/pod-log-frames.ts. The exit code is the runner's.
//
//   node runner/pod-entrypoint.js --job DIR --out DIR [--work-dir DIR]
// DIR of --job holds spec.json and, when resuming, checkpoint.json (the executor's ConfigMap).

const RUNNER = fileURLToPath(new URL('./bin.js', import.meta.url));

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** Writes in order, and lets the process exit only after stdout has taken everything. */
function createStdout() {
  let last: Promise<void> = Promise.resolve();
  const write = (text: string) => {
    last = last.then(() => new Promise<void>((resolve) => process.stdout.write(text, () => resolve())));
    return last;
  };
  return { write, drained: () => last };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const jobDir = option(args, '--job');
  const outDir = option(args, '--out');
  if (jobDir === undefined || outDir === undefined) {
    process.stderr.write('usage: pod-entrypoint --job DIR --out DIR [--work-dir DIR]\n');
    return RUNNER_EXIT.invalidInput;
  }
  const workDir = option(args, '--work-dir');
  const resumeFrom = join(jobDir, 'checkpoint.json');
  const runnerArgs = [
    RUNNER,
    '--spec',
    join(jobDir, 'spec.json'),
    '--out',
    outDir,
    ...(workDir === undefined ? [] : ['--work-dir', workDir]),
    ...(existsSync(resumeFrom) ? ['--checkpoint', resumeFrom] : []),
  ];
  const out = createStdout();
  const emitFile = async (name: FramedFileName) => {
    const text = await readFile(join(outDir, name)).catch(() => null);
    if (text === null) return;
    const payload = gzipSync(text).toString('base64');
    const sha256 = createHash('sha256').update(text).digest('hex');
    await out.write(`${frameFile({ name, payload, sha256 }).join('\n')}\n`);
  };

  const child = spawn(process.execPath, runnerArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  // The kubelet's SIGTERM (preemption, deletion) reaches this process as PID 1; the runner
  // stops its commands and exits 1 on it.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  const closed = new Promise((resolve) => child.stdout.once('close', resolve));
  let pending: Promise<void> = Promise.resolve();
  createInterface({ input: child.stdout }).on('line', (line) => {
    pending = pending.then(async () => {
      await out.write(`${line}\n`);
      if (parseProgressLine(line)?.type === 'checkpoint') await emitFile('checkpoint.json');
    });
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  await closed;
  await pending;
  if (code === RUNNER_EXIT.ok) await emitFile('results.json');
  if (code === RUNNER_EXIT.codeUnderTest) await emitFile('failure.json');
  await out.drained();
  if (signal !== null) return RUNNER_EXIT.infrastructure;
  return code ?? RUNNER_EXIT.infrastructure;
}

process.exitCode = await main();
