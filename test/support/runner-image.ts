import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';

// The runner image for the tests that run it. scripts/build-runner-image.sh tags the image with a
// hash of its inputs and builds only when that tag is missing, so this costs a couple of seconds
// once the machine has built these sources, and about a minute and a half on a cold machine (the
// Debian base). Its progress goes to the test's stderr.

/** podman's settings for this machine's quirks (runc, no default ulimits); see the file. */
export const CONTAINERS_CONF =
  process.env.CONTAINERS_CONF ?? join(PROJECT_ROOT, 'runner', 'image', 'containers.conf');

/** Enough for a cold build on a busy machine. */
export const RUNNER_IMAGE_BUILD_TIMEOUT_MS = 10 * 60_000;

const built = new Map<string, Promise<string>>();

/** The reference of the runner image built from this checkout (localhost/benchbot-runner:<hash>). */
export function runnerImage(variant: 'runner' | 'runner-rust' = 'runner'): Promise<string> {
  let image = built.get(variant);
  if (image === undefined) {
    image = buildRunnerImage(variant);
    built.set(variant, image);
  }
  return image;
}

function buildRunnerImage(variant: string): Promise<string> {
  const script = join(PROJECT_ROOT, 'scripts', 'build-runner-image.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, '--variant', variant], {
      env: { ...process.env, CONTAINERS_CONF },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ref = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && ref !== '') resolve(ref);
      else reject(new Error(`${script} --variant ${variant} exited ${code}:\n${stderr.slice(-4000)}`));
    });
  });
}
