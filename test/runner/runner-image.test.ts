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
  packages: Record<string, { version?: string; integrity?: string; os?: string[] }>;
}

/** The package a lockfile path holds: `node_modules/a/node_modules/@s/b` holds `@s/b`. */
const packageName = (path: string): string =>
  path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

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
    // npm may hoist a package to another folder in the smaller tree; what must match is the
    // package at each version, byte for byte.
    const workerHas = new Set(
      Object.entries(worker.packages).map(([path, e]) => `${packageName(path)}@${e.version} ${e.integrity}`),
    );
    for (const [path, entry] of installed) {
      expect(workerHas.has(`${packageName(path)}@${entry.version} ${entry.integrity}`), path).toBe(true);
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
      const image = readJson('runner/image/package-lock.json') as Lockfile;
      // Packages for other systems (fsevents is macOS's) are in the lockfile, not in the image.
      const topLevel = Object.entries(image.packages)
        .filter(
          ([path, e]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && (e.os?.includes('linux') ?? true),
        )
        .map(([path]) => packageName(path).split('/')[0]);
      expect(modules?.split('\n')).toEqual([...new Set(topLevel)].sort());
      for (const workerOnly of ['@temporalio', '@octokit', 'pino', 'pg', 'better-sqlite3', 'yaml'])
        expect(modules?.split('\n'), workerOnly).not.toContain(workerOnly);
      expect(versions).toMatch(/^v20\.\d+\.\d+\ngit version 2\./);
    });
  });
});
