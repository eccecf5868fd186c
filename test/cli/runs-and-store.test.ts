import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsJsonEntry } from '../../starter/commands/runs.js';
import { freshDatabase } from '../support/fresh-database.js';

// The store commands as a user runs them: the real `benchbot` entry point, a SQLite store written by
// benchbot at bf37b4a (schema version 1, before this store had a PostgreSQL twin), and a real
// PostgreSQL database as the configured store.

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'results-store', 'v1.sqlite');
const dir = mkdtempSync(join(tmpdir(), 'benchbot-store-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function benchbot(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, ['bin/benchbot.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function config(name: string, results: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'version: 1',
      `dataDir: ${dir}`,
      results,
      'repos:',
      '  - name: acme/app',
      '    url: file:///nonexistent/acme/app',
      '    benchmarks:',
      '      - name: parse',
      '        command: "true"',
      '',
    ].join('\n'),
  );
  return file;
}

describe('benchbot store migrate and benchbot runs, into PostgreSQL', () => {
  let source: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    source = join(dir, 'old-results.sqlite');
    copyFileSync(FIXTURE, source);
    env = {
      BENCHBOT_CONFIG: config('pg.yaml', 'results:\n  store: postgres'),
      BENCHBOT_DATABASE_URL: await freshDatabase('cli'),
    };
  });

  it('copies every run of an old SQLite store, never writing it, and a second copy records none', () => {
    const before = digest(source);
    const first = benchbot(['store', 'migrate', '--from', source], env);
    expect(first.stderr).toContain('copied 5 runs');
    // Progress: the first run copied is shown at once, then one line every 2 s of a long copy.
    expect(first.stderr).toContain('copying runs: 1 of 5 (1 new)');
    expect(first.code).toBe(0);
    expect(digest(source)).toBe(before);

    const second = benchbot(['store', 'migrate', '--from', source], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('nothing to copy: all 5 runs');
  });

  it('lists the copied runs newest first as JSON, filtered by kind', () => {
    const all = benchbot(['runs', '--format', 'json'], env);
    expect(all.code).toBe(0);
    const runs = JSON.parse(all.stdout) as RunsJsonEntry[];
    expect(runs.map((r) => [r.id, r.reason])).toEqual([
      ['manual:acme/app:1', 'manual'],
      ['bench:acme/app:comment:4242', 'pull-request'],
      [`trunk:acme/app:main:${'3'.padStart(40, '0')}`, 'trunk'],
      [`trunk:acme/app:main:${'2'.padStart(40, '0')}`, 'trunk'],
      [`trunk:acme/app:main:${'1'.padStart(40, '0')}`, 'trunk'],
    ]);
    expect(runs[1]).toMatchObject({
      repository: 'acme/app',
      recordedAt: '2026-11-04T12:00:00Z',
      pullRequest: 17,
      baseline: { ref: 'main', sha: '3'.padStart(40, '0') },
      changed: { ref: 'refs/pull/17/head', sha: (77).toString(16).padStart(40, '0') },
    });
    expect(runs[2]?.platforms).toEqual([
      { platform: 'x86-64-linux', status: 'ok' },
      { platform: 'aarch64-linux', status: 'failed' },
    ]);
    const trunk = JSON.parse(
      benchbot(['runs', '--reason', 'trunk', '--last', '2', '--format', 'json'], env).stdout,
    );
    expect(trunk.map((r: RunsJsonEntry) => r.reason)).toEqual(['trunk', 'trunk']);
    const text = benchbot(['runs'], env);
    expect(text.stdout.split('\n')[0]).toContain('manual:acme/app:1');
    const ofRepo = JSON.parse(benchbot(['runs', '--repo', 'acme/app', '--format', 'json'], env).stdout);
    expect(ofRepo).toHaveLength(5);
    // A filter that matches nothing says so, not that the store is empty.
    const none = benchbot(['runs', '--repo', 'acme/other'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No recorded run matches --repo acme/other');
    expect(JSON.parse(benchbot(['runs', '--repo', 'acme/other', '--format', 'json'], env).stdout)).toEqual(
      [],
    );
  });

  it('refuses bad options and a missing database URL with what to do', () => {
    const bad = benchbot(['runs', '--reason', 'nightly'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pull-request, manual, trunk');
    const noUrl = benchbot(['runs'], { ...env, BENCHBOT_DATABASE_URL: '' });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('BENCHBOT_DATABASE_URL is not set');
  });

  it('shows one run: the whole run as JSON, samples included', () => {
    const shown = benchbot(['runs', 'show', 'bench:acme/app:comment:4242', '--format', 'json'], env);
    expect(shown.code).toBe(0);
    const run = JSON.parse(shown.stdout);
    expect(run.platforms[0].results.benchmarks[0].samples.changed).toHaveLength(5);
    const missing = benchbot(['runs', 'show', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('benchbot runs');
  });

  it("prints a stored run's results file, which benchbot compare re-judges with any option", () => {
    const shown = benchbot(['runs', 'show', 'bench:acme/app:comment:4242', '--format', 'results'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const file = join(dir, 'stored-run.json');
    writeFileSync(file, shown.stdout);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      schema: 'benchbot-results',
      run: { repository: 'acme/app' },
    });
    const judged = benchbot(['compare', file, '--benchstat'], env);
    expect(judged.code, judged.stderr).toBe(0);
    expect(judged.stdout).toMatch(/^\*\*\d+ faster, \d+ slower, \d+ unchanged/);
    expect(judged.stdout).toContain('benchstat-compatible');
    const wrongPlatform = benchbot(
      ['runs', 'show', 'bench:acme/app:comment:4242', '--format', 'results', '--platform', 'riscv'],
      env,
    );
    expect(wrongPlatform.code).toBe(1);
    expect(wrongPlatform.stderr).toMatch(/has no results on platform riscv; platforms with results: \S+/);
  });
});

describe('benchbot runs before any run is recorded', () => {
  it('says there are none and how to make one, without creating the store', () => {
    const file = join(dir, 'never-written.sqlite');
    const env = { BENCHBOT_CONFIG: config('empty.yaml', `results:\n  path: ${file}`) };
    const listed = benchbot(['runs'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('No runs recorded yet. `benchbot run --repo');
    expect(JSON.parse(benchbot(['runs', '--format', 'json'], env).stdout)).toEqual([]);
    const shown = benchbot(['runs', 'show', 'bench:acme/app:manual:1'], env);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain('is recorded; `benchbot runs` lists the recorded ones');
    expect(existsSync(file)).toBe(false);
  });
});

describe('benchbot store migrate into SQLite', () => {
  it('upgrades a copy of an old file into the configured one and refuses to copy a store into itself', () => {
    const source = join(dir, 'v1-for-sqlite.sqlite');
    copyFileSync(FIXTURE, source);
    const target = join(dir, 'new', 'results.sqlite');
    const env = { BENCHBOT_CONFIG: config('sqlite.yaml', `results:\n  path: ${target}`) };
    const copied = benchbot(['store', 'migrate', '--from', source], env);
    expect(copied.code).toBe(0);
    expect(copied.stderr).toContain('copied 5 runs');
    expect(JSON.parse(benchbot(['runs', '--format', 'json'], env).stdout)).toHaveLength(5);
    const self = benchbot(['store', 'migrate', '--from', target], env);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('is the configured store itself');
  });
});
