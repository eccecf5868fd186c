import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseConfig } from '../../core/config/index.js';
import type { BenchbotConfig } from '../../core/config/schema.js';
import { checkStatisticalPower, roundsToDetect } from '../../core/config/statistical-power.js';

function parseOk(text: string): BenchbotConfig {
  const result = parseConfig(text, 'benchbot.yaml');
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

const repo = (benchmarks: number, iterations: number, extra = '') => `version: 1
repos:
  - name: acme/widget
    benchmarkDefaults: { command: "./bench.sh {{name}}", iterations: ${iterations} }
    benchmarks:
${Array.from({ length: benchmarks }, (_, i) => `      - { name: b${i} }`).join('\n')}
${extra}`;

describe('rounds a benchmark needs to find a 5% change', () => {
  it('grow with the report the correction covers', () => {
    // 3% noise: z(0.05 / 2m) + 1.28 standard errors of the trimmed mean of the kept rounds.
    expect(roundsToDetect(1)).toBe(6);
    expect(roundsToDetect(31)).toBe(8);
    expect(roundsToDetect(100)).toBe(11);
    // From three benchmarks on, the variance prior replaces the t distribution's heavier tail.
    expect(roundsToDetect(3)).toBe(5);
    const counts = [3, 10, 30, 100, 300, 1000].map((family) => roundsToDetect(family));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
});

describe('config check: statistical power', () => {
  it('warns once per repository and round count, naming the rounds needed', () => {
    const warnings = checkStatisticalPower(parseOk(repo(31, 3)));
    expect(warnings).toEqual([
      {
        place: 'repos[0] (acme/widget)',
        message:
          'all 31 benchmarks run 3 rounds, too few to find a 5% change at 3% round-to-round noise in a report of ' +
          'at least 31 benchmarks after the Holm correction; set iterations to at least 8',
      },
    ]);
  });

  it('is quiet when the rounds suffice, and judges a benchmark run only by name on its own', () => {
    expect(checkStatisticalPower(parseOk(repo(31, 8)))).toEqual([]);
    const byName = parseOk(`${repo(2, 10)}      - { name: solo, iterations: 4, runByDefault: false }\n`);
    expect(checkStatisticalPower(byName)).toEqual([
      {
        place: 'repos[0] (acme/widget)',
        message: expect.stringMatching(/^solo run 4 rounds, too few .* in their own report .*at least 6$/),
      },
    ]);
  });

  it('is quiet when adaptive rounds can run enough rounds for the final look, at half of alpha', () => {
    const adaptive = (maxRounds: number) =>
      parseOk(repo(31, 3).replace('iterations: 3 }', `iterations: 3, maxRounds: ${maxRounds} }`));
    expect(roundsToDetect(31, 0.025)).toBe(8);
    expect(checkStatisticalPower(adaptive(8))).toEqual([]);
    expect(checkStatisticalPower(adaptive(7))).toHaveLength(1);
  });

  it('defaults to rounds that find a 5% change in a report of 50 benchmarks', () => {
    const config = parseOk(`version: 1
repos:
  - name: acme/widget
    benchmarkDefaults: { command: "./bench.sh {{name}}" }
    benchmarks:
${Array.from({ length: 50 }, (_, i) => `      - { name: b${i} }`).join('\n')}
`);
    expect(config.repos[0]?.benchmarks[0]?.iterations).toBe(10);
    expect(checkStatisticalPower(config)).toEqual([]);
  });
});
