import { describe, expect, it } from 'vitest';
import { compareTexts, renderJson, renderMarkdown } from '../../core/report/index.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';

// The scale-test seed's report: per test, per milestone (pods-created, pods-ready, pcs-available,
// pcs-deleted, total) and per phase (deploy, steady-state, delete), absolute and percent deltas.

const runs = (seconds: number, n: number) =>
  Array.from({ length: n }, (_, i) => seconds * (1 + ((i % 5) - 2) / 500));

function scaleTest(test: string, n: number, slowdown: number): string {
  const milestones: [string, number][] = [
    ['pods-created', 12],
    ['pods-ready', 45],
    ['pcs-available', 61],
    ['pcs-deleted', 95],
    ['total', 95],
  ];
  const phases: [string, number][] = [
    ['deploy', 61],
    ['steady-state', 20],
    ['delete', 14],
  ];
  // Only pods-ready and the deploy phase that holds it move.
  const factor = (name: string) => (name === 'pods-ready' || name === 'deploy' ? slowdown : 1);
  const entry = ([name, s]: [string, number]) => ({ name, seconds: runs(s * factor(name), n) });
  return JSON.stringify({
    format: 'benchbot-milestones',
    test,
    milestones: milestones.map(entry),
    phases: phases.map(entry),
  });
}

function report(n: number) {
  const result = compareTexts(
    { file: 'base.json', text: scaleTest('1k-pods', n, 1) },
    { file: 'changed.json', text: scaleTest('1k-pods', n, 1.1) },
    DEFAULT_OPTIONS,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.comparison;
}

describe('milestones and phases in the markdown report', () => {
  it('gives each milestone and phase its values, absolute and percent delta, and verdict', () => {
    const markdown = renderMarkdown(report(10));
    const section = markdown.slice(markdown.indexOf('### Milestones and phases'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `1k-pods`'));
    expect(rows.map((r) => r.split(' | ')[1])).toEqual([
      'milestone `pods-created`',
      'milestone `pods-ready`',
      'milestone `pcs-available`',
      'milestone `pcs-deleted`',
      'milestone `total`',
      '**latest of 5 milestones**',
      'phase `deploy`',
      'phase `steady-state`',
      'phase `delete`',
      '**sum of 3 phases**',
    ]);
    expect(rows[1]).toMatch(
      /^\| `1k-pods` \| milestone `pods-ready` \| 45\.0 s \| 49\.5 s \| \+4\.50 s \| \+10\.0% \| ❌ slower, p [\d.<]+ \|$/,
    );
    expect(rows[0]).toMatch(/\| 12\.0 s \| 12\.0 s \| 0 ns \| 0\.0% \| ➖ unchanged, p [\d.]+ \|$/);
    // deploy 61 → 67.1 s, steady-state 20 and delete 14 unchanged: 95 → 101 s.
    expect(rows[6]).toMatch(/\| phase `deploy` \| 61\.0 s \| 67\.1 s \| \+6\.10 s \| \+10\.0% \| ❌ slower/);
    expect(rows[9]).toMatch(
      /\| \*\*sum of 3 phases\*\* \| 95\.0 s \| 101 s \| \+6\.10 s \| \+6\.4% \| not a test \|$/,
    );
  });

  it('says a single run per side cannot be tested, and still gives the deltas', () => {
    const markdown = renderMarkdown(report(1));
    expect(markdown).toMatch(
      /\| `1k-pods` \| milestone `pods-ready` \| 44\.8 s \| 49\.3 s \| \+4\.48 s \| \+10\.0% \| ❔ not tested: 1 \/ 1 runs, need ≥ \d+ \|/,
    );
  });

  it('keeps the totals in the JSON report', () => {
    const json = JSON.parse(renderJson(report(10))) as { groupTotals: { how: string; count: number }[] };
    expect(json.groupTotals.map((t) => [t.how, t.count])).toEqual([
      ['latest-milestone', 5],
      ['sum-of-phases', 3],
    ]);
  });
});
