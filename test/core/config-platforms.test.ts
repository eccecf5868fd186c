import { describe, expect, it } from 'vitest';
import {
  applyEnvOverrides,
  type BenchbotConfig,
  type ConfigIssue,
  formatConfigIssues,
  parseConfig,
} from '../../core/config/index.js';

// Platforms in the config: a plain name, or a name with its placement, image and slots; which
// platforms a worker serves.

function parse(text: string) {
  return parseConfig(text, 'benchbot.yaml');
}

function parseOk(text: string): BenchbotConfig {
  const result = parse(text);
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

function issuesOf(text: string): ConfigIssue[] {
  const result = parse(text);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.issues;
}

const repo = (name: string, platforms: string) => `
  - name: ${name}
    platforms: ${platforms}
    benchmarks: [{ name: startup, command: "./bench.sh" }]`;

describe('platforms', () => {
  it('keeps the plain string form, placed as executor.kubernetes says', () => {
    const config = parseOk(`version: 1\nrepos:${repo('acme/widget', '[x86-64-linux]')}\n`);
    expect(config.repos[0]?.platforms).toEqual(['x86-64-linux']);
    expect(config.platforms).toEqual({
      'x86-64-linux': {
        name: 'x86-64-linux',
        nodeSelector: {},
        tolerations: [],
        runnerImage: null,
        slots: null,
      },
    });
    expect(config.executor.platforms).toBeNull();
  });

  it('reads a platform with its placement, image and slots, named alone in another repository', () => {
    const config = parseOk(`version: 1
executor: { platforms: [aarch64-linux] }
repos:${repo(
      'acme/widget',
      `
      - x86-64-linux
      - name: aarch64-linux
        nodeSelector: { kubernetes.io/arch: arm64 }
        runnerImage: ghcr.io/acme/benchbot-runner:arm64
        slots: 2`,
    )}${repo('acme/gadget', '[aarch64-linux]')}
`);
    expect(config.repos.map((r) => r.platforms)).toEqual([
      ['x86-64-linux', 'aarch64-linux'],
      ['aarch64-linux'],
    ]);
    expect(config.platforms['aarch64-linux']).toEqual({
      name: 'aarch64-linux',
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [],
      runnerImage: 'ghcr.io/acme/benchbot-runner:arm64',
      slots: 2,
    });
    expect(config.executor.platforms).toEqual(['aarch64-linux']);
  });

  it('refuses one platform placed two ways, a platform listed twice, and a worker platform no repository has', () => {
    const issues = issuesOf(`version: 1
executor: { platforms: [aarch64-linx] }
repos:${repo('acme/widget', '[{ name: aarch64-linux, nodeSelector: { kubernetes.io/arch: arm64 } }, x86-64-linux, x86-64-linux]')}${repo('acme/gadget', '[{ name: aarch64-linux, slots: 3 }]')}
`);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^repos\[1\]\.platforms\[0\]: platform "aarch64-linux" is placed differently at repos\[0\]\.platforms\[0\]/,
        ),
        expect.stringMatching(/^repos\[0\]\.platforms\[2\]: platform "x86-64-linux" is listed twice/),
        expect.stringMatching(
          /^executor\.platforms\[0\]: .*"aarch64-linx", which no repository lists .*did you mean "aarch64-linux"/,
        ),
      ]),
    );
  });

  it('says what a platform entry may be', () => {
    const issues = issuesOf(`version: 1\nrepos:${repo('acme/widget', '[{ arch: arm64 }]')}\n`);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/platform name .* or \{ name, nodeSelector/);
  });

  it('takes the platforms a worker serves from BENCHBOT_PLATFORMS, refusing unknown ones', () => {
    const config = parseOk(`version: 1\nrepos:${repo('acme/widget', '[x86-64-linux, aarch64-linux]')}\n`);
    const applied = applyEnvOverrides(config, { BENCHBOT_PLATFORMS: 'aarch64-linux' });
    expect(applied.errors).toEqual([]);
    expect(applied.config.executor.platforms).toEqual(['aarch64-linux']);
    const bad = applyEnvOverrides(config, { BENCHBOT_PLATFORMS: 'aarch64-linux,sparc' });
    expect(bad.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^BENCHBOT_PLATFORMS=aarch64-linux,sparc: name platforms the repositories list/),
    ]);
  });
});
