import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'benchbot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real `benchbot` entry point as a child process, on the shipped example config. */
function benchbot(args: string[], input = '', env: NodeJS.ProcessEnv = {}) {
  const { BENCHBOT_CONFIG: _ignored, ...rest } = process.env;
  const result = spawnSync(process.execPath, ['bin/benchbot.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...rest, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('benchbot trigger parse', () => {
  it('exits 2 with a JSON error naming the unknown benchmark and listing the allowed names', () => {
    const { code, stdout } = benchbot(
      ['trigger', 'parse', '--repo', 'apache/datafusion'],
      'run benchmark tpch nosuch\n',
    );
    expect(code).toBe(2);
    const { errors } = JSON.parse(stdout) as { errors: { code: string; message: string }[] };
    expect(errors[0]?.code).toBe('unknown-benchmark');
    expect(errors[0]?.message).toContain('nosuch');
    expect(errors[0]?.message).toContain('clickbench_partitioned');
  });

  it('prints the parsed request and exits 0', () => {
    const comment = 'run benchmark tpch\nbaseline:\n  ref: v45.0.0\n';
    const { code, stdout } = benchbot(['trigger', 'parse', '--repo', 'apache/datafusion'], comment);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      kind: 'run',
      benchmarks: ['tpch'],
      baseline: { ref: 'v45.0.0', env: {} },
      changed: { ref: null, env: {} },
    });
  });

  it('prints {"trigger": false} for an ordinary comment and exits 0', () => {
    const { code, stdout } = benchbot(['trigger', 'parse', '--repo', 'apache/datafusion'], 'LGTM, thanks!\n');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ trigger: false });
  });

  it('exits 2 naming a repository that is not configured', () => {
    const { code, stdout } = benchbot(['trigger', 'parse', '--repo', 'acme/widgets'], 'run benchmarks\n');
    expect(code).toBe(2);
    expect(stdout).toContain('acme/widgets is not configured');
  });
});

describe('benchbot config check', () => {
  it('accepts the shipped example, whose rounds can find a 5% change', () => {
    const { code, stdout, stderr } = benchbot(['config', 'check', 'benchbot.example.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok: 2 repositories/);
    expect(stderr).toBe('');
  });

  it('warns when rounds are too few to find a 5% change, and still accepts the file', () => {
    const file = join(dir, 'few-rounds.yaml');
    const benchmarks = Array.from({ length: 31 }, (_, i) => `      - { name: b${i} }`).join('\n');
    writeFileSync(
      file,
      `version: 1\nrepos:\n  - name: acme/widgets\n    benchmarkDefaults: { command: "./bench.sh", iterations: 3 }\n    benchmarks:\n${benchmarks}\n`,
    );
    const { code, stdout, stderr } = benchbot(['config', 'check', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok: 1 repositories, 31 benchmarks/);
    expect(stderr).toContain(
      'warning: repos[0] (acme/widgets): all 31 benchmarks run 3 rounds, too few to find a 5% change',
    );
    expect(stderr).toContain('set iterations to at least 8');
  });

  it('refuses a bad file naming the file, line, path and problem', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nrepos:\n  - name: acme/widgets\n    benchmarks:\n      - name: startup\n        comand: ./bench.sh\n',
    );
    const { code, stderr } = benchbot(['config', 'check', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${file}:6:9 repos[0].benchmarks[0].comand: unknown key "comand"; did you mean "command"?`,
    );
  });

  it('accepts a benchmark profile and refuses a bad one with its line and path', () => {
    const file = join(dir, 'profile.yaml');
    const config = (profile: string) =>
      `version: 1\nrepos:\n  - name: acme/widgets\n    benchmarks:\n      - name: startup\n        command: ./bench.sh\n        iterations: 20\n        profile:\n${profile}`;
    writeFileSync(
      file,
      config(
        '          command: go test -bench . -cpuprofile cpu.pprof\n          path: cpu.pprof\n          format: pprof\n',
      ),
    );
    const ok = benchbot(['config', 'check', file]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    writeFileSync(
      file,
      config('          command: ./profile.sh\n          path: ../cpu.pprof\n          format: perf\n'),
    );
    const bad = benchbot(['config', 'check', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `${file}:10:17 repos[0].benchmarks[0].profile.path: must be a relative path`,
    );
    expect(bad.stderr).toContain(
      `${file}:11:19 repos[0].benchmarks[0].profile.format: the only profile format is pprof`,
    );
    writeFileSync(file, config('          path: cpu.pprof\n'));
    expect(benchbot(['config', 'check', file]).stderr).toContain(
      `${file}:8:9 repos[0].benchmarks[0].profile.command: missing; this key is required`,
    );
  });

  it('reports a bad environment override by the variable name', () => {
    const { code, stderr } = benchbot(['config', 'check', 'benchbot.example.yaml'], '', {
      POLL_INTERVAL_SECS: 'soon',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('POLL_INTERVAL_SECS=soon');
  });
});
