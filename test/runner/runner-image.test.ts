import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTAINERS_CONF, RUNNER_IMAGE_BUILD_TIMEOUT_MS, runnerImage } from '../support/runner-image.js';
import { PROJECT_ROOT } from './fixture-repo.js';

// The runner image (runner/image/): what scripts/build-runner-image.sh builds from this checkout,
// run with podman. The Kubernetes end-to-end test runs a whole benchmark in it; this checks what
// the image is: the runner's usage, a non-root user that cannot touch the runner, and only the
// runner's own dependencies, at the worker's versions.

interface Lockfile {
  version: string;
  packages: Record<string, { version?: string; integrity?: string }>;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(PROJECT_ROOT, path), 'utf8'));

describe('the runner image', () => {
  it("installs the worker's versions of the runner's dependencies", () => {
    const worker = readJson('package-lock.json') as Lockfile;
    const image = readJson('runner/image/package-lock.json') as Lockfile;
    const rootManifest = readJson('package.json') as {
      version: string;
      dependencies: Record<string, string>;
    };
    const imageManifest = readJson('runner/image/package.json') as {
      version: string;
      dependencies: Record<string, string>;
    };
    expect(imageManifest.version).toBe(rootManifest.version);
    for (const [name, version] of Object.entries(imageManifest.dependencies)) {
      expect(rootManifest.dependencies[name], name).toBe(version);
    }
    const installed = Object.entries(image.packages).filter(([path]) => path !== '');
    expect(installed.length).toBeGreaterThan(0);
    for (const [path, entry] of installed) {
      expect(worker.packages[path], path).toMatchObject({
        version: entry.version,
        integrity: entry.integrity,
      });
    }
  });

  describe('built and run with podman', () => {
    let image: string;
    const podman = (...args: string[]) =>
      promisify(execFile)('podman', args, { env: { ...process.env, CONTAINERS_CONF } });
    const inImage = (script: string) =>
      podman('run', '--rm', '--network=none', '--entrypoint=["sh","-c"]', image, script);

    beforeAll(async () => {
      image = await runnerImage();
    }, RUNNER_IMAGE_BUILD_TIMEOUT_MS);

    it("prints the runner's usage", async () => {
      const { stderr } = await podman('run', '--rm', '--network=none', image, '--help');
      expect(stderr).toMatch(/^Usage: benchbot-runner \[options\]/);
      expect(stderr).toContain('--spec <file>');
    });

    it('runs as uid 1000, which cannot change the runner but owns /work', async () => {
      const { stdout } = await inImage(
        'id -u; id -g; pwd; touch /opt/benchbot/runner/cli.ts 2>/dev/null && echo runner-writable; touch /work/x && echo work-writable',
      );
      expect(stdout.trim().split('\n')).toEqual(['1000', '1000', '/work', 'work-writable']);
    });

    it("holds the runner's own dependencies and none of the worker's", async () => {
      const { stdout } = await inImage(
        'ls /opt/benchbot; echo --; ls /opt/benchbot/node_modules; echo --; node --version; git --version',
      );
      const [top, modules, versions] = stdout.trim().split('\n--\n');
      expect(top?.split('\n')).toEqual(['core', 'node_modules', 'package.json', 'runner']);
      expect(modules?.split('\n')).toEqual(['@esbuild', 'commander', 'esbuild', 'tsx', 'zod']);
      expect(versions).toMatch(/^v20\.\d+\.\d+\ngit version 2\./);
    });
  });
});
