#!/usr/bin/env node
// `npm run setup`: installs the npm dependencies and makes a `temporal` CLI (>= 1.5) available at
// tools/bin/temporal. Plain Node (no dependencies), because it runs before the dependencies are installed.
//
// Where the temporal CLI comes from, in order:
//   1. $TEMPORAL_CLI, if set (must be >= 1.5)
//   2. `temporal` on PATH, if >= 1.5
//   3. a per-user cache keyed by version (~/.cache/benchbot/tools/temporal-<version>/temporal)
//   4. `go install github.com/temporalio/cli/cmd/temporal@<version>` into that cache
// The chosen binary is linked to tools/bin/temporal, which is what benchbot runs.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_POSTGRES_ROOT, findPostgresBin } from './postgres-bin.mjs';

const TEMPORAL_CLI_VERSION = '1.5.1';
const MIN_TEMPORAL = [1, 5, 0];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsBin = join(root, 'tools', 'bin');
const linkPath = join(toolsBin, 'temporal');

const say = (msg) => console.log(`[setup] ${msg}`);

function fail(msg) {
  console.error(`[setup] error: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}`)),
    );
  });
}

async function installNpmDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.benchbot-setup-stamp');
  const digest = createHash('sha256')
    .update(readFileSync(lock))
    .update(readFileSync(join(root, 'package.json')))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    say('npm dependencies are up to date');
    return;
  }
  say('installing npm dependencies…');
  const started = Date.now();
  // `npm install` honours the lockfile's pinned versions like `npm ci`, but tolerates registries
  // that lack other platforms' optional binaries (which the lockfile then cannot list, and
  // `npm ci` refuses).
  await run('npm', ['install', '--no-audit', '--no-fund']);
  writeFileSync(stamp, digest);
  say(`npm dependencies installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Returns [major, minor, patch] of a temporal binary, or null if it does not run. */
function temporalVersion(path) {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /temporal version (\d+)\.(\d+)\.(\d+)/.exec(out);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  } catch {
    return null;
  }
}

const atLeast = (v, min) => {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
};

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate) && resolve(candidate) !== resolve(linkPath)) return candidate;
  }
  return null;
}

function usable(path, origin) {
  const v = temporalVersion(path);
  if (v === null) {
    say(`${origin} ${path} does not run; ignoring it`);
    return false;
  }
  if (!atLeast(v, MIN_TEMPORAL)) {
    say(`${origin} ${path} is version ${v.join('.')}, older than ${MIN_TEMPORAL.join('.')}; ignoring it`);
    return false;
  }
  say(`using ${origin} ${path} (temporal ${v.join('.')})`);
  return true;
}

async function goInstallTemporal(cacheDir) {
  const hasGo = (() => {
    try {
      execFileSync('go', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasGo) {
    fail(
      [
        'no temporal CLI >= 1.5 was found, and Go is not installed to build one.',
        'Fix one of:',
        '  - install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH,',
        '  - or set TEMPORAL_CLI=/path/to/temporal,',
        `  - or install Go >= 1.23 and re-run \`npm run setup\` (it runs: go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}).`,
      ].join('\n'),
    );
  }
  mkdirSync(cacheDir, { recursive: true });
  say(`building the temporal CLI v${TEMPORAL_CLI_VERSION} with go install (first time: several minutes)…`);
  const started = Date.now();
  let built = 0;
  const ticker = setInterval(() => {
    say(`  still building: ${built} packages compiled, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 20_000);
  try {
    await new Promise((resolvePromise, reject) => {
      const child = spawn(
        'go',
        [
          'install',
          '-v',
          // A plain `go install` reports version 0.0.0-DEV; release builds stamp it the same way.
          `-ldflags=-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
        ],
        { env: { ...process.env, GOBIN: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let tail = '';
      const onData = (chunk) => {
        const text = chunk.toString();
        built += text.split('\n').filter((l) => l && !l.startsWith('go: ')).length;
        tail = (tail + text).slice(-4000);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolvePromise() : reject(new Error(`go install exited ${code}:\n${tail}`)),
      );
    });
  } catch (err) {
    fail(
      `${err.message}\nFix: check that the Go module proxy is reachable, or install the Temporal CLI yourself and set TEMPORAL_CLI.`,
    );
  } finally {
    clearInterval(ticker);
  }
  say(`temporal CLI built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function provideTemporalCli() {
  const cacheDir = join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'benchbot',
    'tools',
    `temporal-${TEMPORAL_CLI_VERSION}`,
  );
  const cached = join(cacheDir, 'temporal');
  const fromEnv = process.env.TEMPORAL_CLI;
  const fromPath = onPath('temporal');
  let chosen = null;
  if (fromEnv) {
    if (!usable(fromEnv, '$TEMPORAL_CLI')) {
      fail(
        `TEMPORAL_CLI=${fromEnv} is not a working temporal CLI >= 1.5. Fix: point it at one, or unset it.`,
      );
    }
    chosen = fromEnv;
  } else if (fromPath && usable(fromPath, 'temporal on PATH')) {
    chosen = fromPath;
  } else if (existsSync(cached) && usable(cached, 'cached')) {
    chosen = cached;
  } else {
    await goInstallTemporal(cacheDir);
    if (!usable(cached, 'freshly built')) fail(`go install finished but ${cached} does not run`);
    chosen = cached;
  }
  mkdirSync(toolsBin, { recursive: true });
  rmSync(linkPath, { force: true });
  symlinkSync(resolve(chosen), linkPath);
  say(`tools/bin/temporal -> ${resolve(chosen)}`);
}

const canAptInstall = () => process.getuid?.() === 0 && onPath('apt-get') !== null;

/** `apt-get install`, refreshing the package lists once when it fails (a fresh image has none). */
async function aptInstall(packages, purpose) {
  const names = packages.join(' ');
  say(`installing ${names} with apt-get (for ${purpose})…`);
  const aptStarted = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', ...packages], { env });
  } catch {
    say('apt-get install failed; updating the package lists and trying again…');
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', ...packages], { env });
  }
  say(`${names} installed in ${((Date.now() - aptStarted) / 1000).toFixed(0)} s`);
}

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, which the dashboard's browser tests drive (playwright-core, no bundled browser). */
async function provideChromium() {
  if (existsSync(CHROMIUM)) {
    say(`chromium: ${CHROMIUM}`);
    return;
  }
  const hint = "install Debian's chromium (sudo apt-get install -y chromium) for the dashboard tests";
  if (!canAptInstall()) {
    say(`${CHROMIUM} is missing: ${hint}`);
    return;
  }
  await aptInstall(['chromium'], 'the dashboard tests');
}

/**
 * Debian's PostgreSQL, whose initdb and pg_ctl the results-store tests run: each test run makes
 * its own throwaway server (test/support/postgres.ts), so nothing is started or configured here.
 */
async function providePostgres() {
  const found = findPostgresBin();
  if (found) {
    say(`postgresql: ${found}`);
    return;
  }
  const hint =
    "install Debian's postgresql (sudo apt-get install -y postgresql), or put PostgreSQL's initdb and pg_ctl on PATH, for the results-store tests";
  if (!canAptInstall()) {
    say(`PostgreSQL's initdb and pg_ctl are missing: ${hint}`);
    return;
  }
  await aptInstall(['postgresql'], 'the results-store tests');
  const installed = findPostgresBin();
  if (!installed) {
    fail(`apt-get installed postgresql, but no ${DEBIAN_POSTGRES_ROOT}/<major>/bin has initdb and pg_ctl`);
  }
  say(`postgresql: ${installed}`);
}

/**
 * bubblewrap, the local executor's sandbox for code from pull requests, and slirp4netns, which
 * gives a sandboxed job with the network on a network of its own, apart from this host's loopback
 * (see README, Security).
 */
async function provideSandboxTools() {
  const tools = { bwrap: 'bubblewrap', slirp4netns: 'slirp4netns' };
  const missing = Object.entries(tools).filter(([tool]) => onPath(tool) === null);
  if (missing.length === 0) {
    say(`sandbox tools: ${Object.keys(tools).join(', ')}`);
    return;
  }
  if (process.platform !== 'linux') {
    say(
      `no sandbox on ${process.platform}: pull-request runs need executor.local.sandbox: none or the Kubernetes executor`,
    );
    return;
  }
  const packages = missing.map(([, pkg]) => pkg);
  const hint = `install Debian's ${packages.join(' ')} (sudo apt-get install -y ${packages.join(' ')}): without ${missing.map(([tool]) => tool).join(' and ')} the local executor refuses pull-request runs${onPath('bwrap') ? ' unless executor.local.network is false' : ''}`;
  if (!canAptInstall()) {
    say(`${missing.map(([tool]) => tool).join(', ')} missing: ${hint}`);
    return;
  }
  await aptInstall(packages, 'the sandbox of pull-request code');
}

/**
 * What scripts/build-runner-image.sh needs to build the runner image without an image registry
 * (mmdebstrap for the Debian base, podman with Debian's runc to build and run it, uidmap), which
 * the Kubernetes end-to-end test runs. The image itself is built by that test, once per change of
 * its inputs, not here.
 */
async function provideImageTools() {
  const tools = { mmdebstrap: 'mmdebstrap', podman: 'podman', runc: 'runc', newuidmap: 'uidmap' };
  const missing = Object.entries(tools).filter(([tool]) => onPath(tool) === null);
  if (missing.length === 0) {
    say(`runner image tools: ${Object.keys(tools).join(', ')}`);
    return;
  }
  const packages = missing.map(([, pkg]) => pkg);
  const hint = `install ${packages.join(' ')} (sudo apt-get install -y ${packages.join(' ')}) to build and run the runner image`;
  if (process.platform !== 'linux' || !canAptInstall()) {
    say(`${missing.map(([tool]) => tool).join(', ')} missing: ${hint}`);
    return;
  }
  await aptInstall(packages, 'the runner image');
}

/**
 * kube-apiserver, kube-scheduler, kube-controller-manager and etcd for the Kubernetes executor's
 * tests, built from Go modules into a per-user cache by scripts/build-kube-test-binaries.sh: a
 * cache check when they are there, a build of several minutes each on first use.
 */
async function provideKubeTestBinaries() {
  say(
    'Kubernetes test control plane (kube-apiserver, kube-scheduler, kube-controller-manager, etcd): checking the cache, building if missing…',
  );
  const kubeStarted = Date.now();
  await run('bash', [join(root, 'scripts', 'build-kube-test-binaries.sh')]);
  say(`Kubernetes test control plane ready in ${((Date.now() - kubeStarted) / 1000).toFixed(0)} s`);
}

const started = Date.now();
await installNpmDependencies();
await provideTemporalCli();
await provideChromium();
await provideSandboxTools();
await providePostgres();
await provideImageTools();
await provideKubeTestBinaries();
say(
  `ready in ${((Date.now() - started) / 1000).toFixed(0)} s. Next: npm start (runs benchbot), npm test (tests it)`,
);
