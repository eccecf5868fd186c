import type { PlanMode, PlannedSkip, TrunkReason } from './plan.js';

// The run's report in the shape of a GitHub Actions job summary: what was measured and why, the
// commits it stands for and skipped, then each platform's comparison with the previous commit.

export interface PlatformSummary {
  platform: string;
  status: 'ok' | 'failed';
  /** The comparison report (markdown) of an ok platform; the failure of a failed one. */
  text: string;
}

export interface TrunkSummaryInput {
  repo: string;
  branch: string;
  runId: string;
  reason: TrunkReason;
  mode: PlanMode;
  queueDepth: number;
  windowSeconds: number;
  baselineSha: string | null;
  changedSha: string;
  range: { from: string; to: string; count: number };
  skipped: readonly PlannedSkip[];
  platforms: readonly PlatformSummary[];
}

const short = (sha: string) => sha.slice(0, 10);

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : `${Math.round(seconds / 60)}m`;
}

export function renderTrunkSummary(input: TrunkSummaryInput): string {
  const against =
    input.baselineSha === null || input.baselineSha === input.changedSha
      ? 'against itself (the first run of this branch: an A/A run that shows the noise floor)'
      : `against the previous benchmarked commit \`${short(input.baselineSha)}\`, interleaved`;
  const degraded =
    input.mode === 'widened'
      ? ` · queue depth ${input.queueDepth}: window widened to ${hours(input.windowSeconds)}`
      : input.mode === 'skip-to-newest'
        ? ` · queue depth ${input.queueDepth}: skipped to the newest commit`
        : '';
  const lines = [
    `## Trunk run: ${input.repo} \`${input.branch}\``,
    '',
    `\`${short(input.changedSha)}\` measured ${against}. It stands for ${input.range.count} commit${input.range.count === 1 ? '' : 's'}, \`${short(input.range.from)}\`..\`${short(input.range.to)}\` (${input.reason}${degraded}).`,
  ];
  if (input.skipped.length > 0) {
    lines.push('', `Skipped ${input.skipped.length} commit${input.skipped.length === 1 ? '' : 's'}:`, '');
    for (const s of input.skipped) lines.push(`- \`${short(s.sha)}\`: ${s.reason}`);
  }
  for (const p of input.platforms) {
    lines.push('', `### ${p.platform}${p.status === 'failed' ? ' (failed)' : ''}`, '', p.text);
  }
  lines.push('', `<sub>run \`${input.runId}\`</sub>`);
  return lines.join('\n');
}
