import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../core/results/schema.js';
import { lastLines, runCommand } from '../../runner/exec.js';
import { noiseWarnings, readMachineFacts } from '../../runner/machine-facts.js';
import { findOutputFiles } from '../../runner/output-files.js';
import { createProgress } from '../../runner/progress.js';
import { PROJECT_ROOT } from './fixture-repo.js';

const quiet: MachineFacts = {
  cpuModel: 'AMD EPYC',
  cores: 16,
  kernel: 'Linux 6.1',
  memoryBytes: 2 ** 34,
  governor: 'performance',
  loadAverage: [0.2, 0.1, 0.1],
};

describe('noise warnings', () => {
  it.each([
    ['a quiet machine', quiet, []],
    ['no cpufreq (a VM)', { ...quiet, governor: null }, []],
    ['powersave', { ...quiet, governor: 'powersave' }, [/governor is "powersave", not "performance"/]],
    [
      'a busy machine',
      { ...quiet, loadAverage: [3.5, 1, 1] as [number, number, number] },
      [/load average 3.50 on 16 cores/],
    ],
    [
      'load 1 on 2 cores is fine',
      { ...quiet, cores: 2, loadAverage: [1, 1, 1] as [number, number, number] },
      [],
    ],
  ])('%s', (_name, facts, expected) => {
    const warnings = noiseWarnings(facts);
    expect(warnings).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(warnings[i]).toMatch(pattern);
  });

  it('reads this machine', async () => {
    const facts = await readMachineFacts([0]);
    expect(facts.cores).toBeGreaterThan(0);
    expect(facts.memoryBytes).toBeGreaterThan(0);
    expect(facts.loadAverage).toHaveLength(3);
    expect(facts.pinnedCpus).toEqual([0]);
  });
});

describe('output files', () => {
  it('reads only the new samples of a criterion target directory', async () => {
    const dir = join(PROJECT_ROOT, 'test/fixtures/importers/criterion/target/criterion');
    const files = (await findOutputFiles('criterion', dir)).map((f) => relative(dir, f));
    expect(files).toEqual([
      'parse/flat large/new/sample.json',
      'parse/small/new/sample.json',
      'sum_1000/new/sample.json',
    ]);
  });

  it('reads every JSON file of a results directory (bench.sh names them itself)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'benchbot-out-'));
    await writeFile(join(dir, 'tpch_sf1.json'), '{}');
    await writeFile(join(dir, 'notes.txt'), 'x');
    expect((await findOutputFiles('dfbench-json', dir)).map((f) => relative(dir, f))).toEqual([
      'tpch_sf1.json',
    ]);
    expect(await findOutputFiles('dfbench-json', join(dir, 'missing.json'))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('commands', () => {
  it('keeps the last lines of the log', () => {
    const text = Array.from({ length: 150 }, (_, i) => `line ${i}`).join('\n');
    expect(lastLines(`${text}\n`, 100).split('\n')).toHaveLength(100);
    expect(lastLines(text, 2)).toBe('line 148\nline 149');
  });

  it('kills the whole process group on timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'benchbot-exec-'));
    // The grandchild would write the marker after 3 s if it survived the timeout.
    const outcome = await runCommand({
      command: `echo started; (sleep 3; echo survived > ${dir}/marker) & wait`,
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 300,
      logFile: join(dir, 'log'),
      logHeader: 'timeout test',
      pinCpus: null,
    });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.logTail).toBe('started');
    // Returned without waiting for the grandchild: its marker is not there yet, nor ever after.
    expect(existsSync(join(dir, 'marker'))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await expect(readFile(join(dir, 'marker'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(dir, 'log'), 'utf8')).toMatch(
      /===== timeout test\n\$ echo started.*\nstarted\n===== timed out after 0.3s/s,
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('progress', () => {
  it('writes one JSON object per line with done and total', () => {
    const lines: string[] = [];
    const progress = createProgress((line) => lines.push(line), 4);
    progress.start({ phase: 'build', side: 'baseline' });
    progress.advance();
    progress.start({ phase: 'run', side: 'changed', benchmark: 'tpch', round: 0, rounds: 3 });
    progress.advance(10);
    progress.finish();
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { type: 'progress', phase: 'build', side: 'baseline', done: 0, total: 4 },
      {
        type: 'progress',
        phase: 'run',
        side: 'changed',
        benchmark: 'tpch',
        round: 0,
        rounds: 3,
        done: 1,
        total: 4,
      },
      { type: 'progress', phase: 'done', done: 4, total: 4 },
    ]);
  });
});
