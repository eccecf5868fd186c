import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseCheckpoint, serializeCheckpoint, toLedger, withOnlyRound } from '../core/checkpoint.js';
import { type FramedFileName, frameFile } from '../core/pod-log-frames.js';
import { PROFILE_MANIFEST_FILE, parseProfileManifest, profileFileName } from '../core/profile/manifest.js';
import { type ProgressEvent, parseProgressLine, RUNNER_EXIT } from '../core/runner-protocol.js';
import { COMMAND_SANDBOX_ENV } from '../core/sandbox.js';

// The runner as a Kubernetes Job's container. The pod holds no credential (no service account
// token, no secrets), so files cannot be uploaded anywhere; instead everything the executor needs
// leaves through the container's log, which the executor reads with its own permissions:
//   - the runner's progress lines, passed through unchanged,
//   - after every measured round, the checkpoint as a ledger (core/checkpoint.ts) carrying that
//     round's samples only: the executor keeps the whole checkpoint in the results store, merges
//     each round into it and assembles the results itself, so the log grows with the samples once,
//   - failure.json on exit 3,
//   - on success, the profiles the runner took, then their manifest (which names only files sent),
// each file framed as in core/pod-log-frames.ts. The exit code is the runner's.
//
//   node runner/pod-entrypoint.js --job DIR --out DIR [--work-dir DIR]
// DIR of --job holds spec.json and, when resuming, checkpoint.json (the executor's ConfigMap: a
// ledger of what earlier pods finished, without their samples).

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
  const emit = async (name: FramedFileName, text: Buffer) => {
    const payload = gzipSync(text).toString('base64');
    const sha256 = createHash('sha256').update(text).digest('hex');
    await out.write(`${frameFile({ name, payload, sha256 }).join('\n')}\n`);
  };
  const emitCheckpoint = async (event: Extract<ProgressEvent, { type: 'checkpoint' }>) => {
    const text = await readFile(join(outDir, 'checkpoint.json'), 'utf8').catch(() => null);
    const parsed = text === null ? null : parseCheckpoint(text);
    if (!parsed?.ok) return;
    const delta =
      event.round === undefined
        ? toLedger(parsed.checkpoint)
        : withOnlyRound(parsed.checkpoint, event.benchmark, event.round);
    await emit('checkpoint.json', Buffer.from(serializeCheckpoint(delta)));
  };

  const child = spawn(process.execPath, runnerArgs, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, [COMMAND_SANDBOX_ENV]: 'pod' },
  });
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
      const event = parseProgressLine(line);
      if (event?.type === 'checkpoint') await emitCheckpoint(event);
    });
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  await closed;
  await pending;
  if (code === RUNNER_EXIT.ok) await emitProfiles(join(outDir, 'profiles'), emit);
  if (code === RUNNER_EXIT.codeUnderTest) {
    const failure = await readFile(join(outDir, 'failure.json')).catch(() => null);
    if (failure !== null) await emit('failure.json', failure);
  }
  await out.drained();
  if (signal !== null) return RUNNER_EXIT.infrastructure;
  return code ?? RUNNER_EXIT.infrastructure;
}

// The kubelet rotates a container's log at containerLogMaxSize (10 MiB by default): profiles get a
// share of it that leaves room for everything else the pod printed.
const PROFILE_LOG_BUDGET_BYTES = 4 * 1024 * 1024;

/**
 * The runner's profiles, each file framed, the manifest last (the executor takes none without it);
 * those past the log's budget stay behind, said on stderr, and the report goes without them.
 */
async function emitProfiles(dir: string, emit: (name: FramedFileName, data: Buffer) => Promise<void>) {
  const manifest = await readFile(join(dir, PROFILE_MANIFEST_FILE)).catch(() => null);
  if (manifest === null) return;
  const parsed = parseProfileManifest(manifest.toString('utf8'), PROFILE_MANIFEST_FILE);
  if (!parsed.ok) return;
  let left = PROFILE_LOG_BUDGET_BYTES;
  for (const entry of parsed.manifest.profiles)
    for (const side of entry.sides) {
      const file = profileFileName(entry.benchmark, side);
      const data = await readFile(join(dir, file)).catch(() => null);
      if (data === null) continue;
      if (data.length > left) {
        process.stderr.write(
          `warning: ${file} (${data.length} bytes) is not sent: the pod log's room for profiles is used up\n`,
        );
        continue;
      }
      left -= data.length;
      await emit(`profiles/${file}`, data);
    }
  await emit(`profiles/${PROFILE_MANIFEST_FILE}`, manifest);
}

process.exitCode = await main();
