import { significanceOrder } from '../report/markdown.js';
import { codeSpan } from '../report/markdown-text.js';
import type { ResultsComparison } from '../report/types.js';
import type { ProfileDiff } from './diff.js';
import { type ProfileManifestEntry, resultKey } from './manifest.js';
import { renderProfileDiffMarkdown } from './render.js';

// The report's profile tables: only for benchmarks that changed significantly (a profile of an
// unchanged benchmark is noise in a PR comment), in the order of the significant changes.

/** The manifest's benchmarks with both profiles and a significant change among their results. */
export function profilesToReport(
  comparison: ResultsComparison,
  profiles: readonly ProfileManifestEntry[],
): ProfileManifestEntry[] {
  const ranked = significanceOrder(comparison.benchmarks).map(resultKey);
  const rank = (entry: ProfileManifestEntry) =>
    Math.min(...entry.results.map((r) => ranked.indexOf(resultKey(r))).filter((i) => i >= 0));
  return profiles
    .filter((entry) => entry.sides.length === 2 && Number.isFinite(rank(entry)))
    .sort((a, b) => rank(a) - rank(b));
}

export type ProfileOutcome = { benchmark: string } & ({ diff: ProfileDiff } | { error: string });

const SECTION_HEAD =
  '### CPU profiles of the changed benchmarks\n\nEach side profiled in one extra run after the measured rounds (not timed); `benchbot profile diff` on the stored profiles shows more.';

function entry(outcome: ProfileOutcome): string {
  const name = codeSpan(outcome.benchmark, false);
  if ('error' in outcome)
    return `- ${name}: the profiles could not be compared: ${codeSpan(outcome.error, false)}`;
  return [
    `<details><summary>${name}</summary>`,
    '',
    renderProfileDiffMarkdown(outcome.diff, '####'),
    '',
    '</details>',
  ].join('\n');
}

/** The section, at most `budget` characters: whole entries only; '' when there is nothing or no room. */
export function renderProfileSection(outcomes: readonly ProfileOutcome[], budget: number): string {
  if (outcomes.length === 0) return '';
  const parts = [SECTION_HEAD];
  let length = SECTION_HEAD.length;
  for (const [i, outcome] of outcomes.entries()) {
    const text = entry(outcome);
    const left = outcomes.length - i;
    const note = `…the profiles of ${left} more benchmarks are left out to fit the comment`;
    // The note is needed only while more entries would follow.
    const reserve = left > 1 ? note.length + 2 : 0;
    if (length + text.length + 2 + reserve > budget) {
      if (i === 0) return '';
      parts.push(note);
      break;
    }
    parts.push(text);
    length += text.length + 2;
  }
  return `${parts.join('\n\n')}\n`;
}
