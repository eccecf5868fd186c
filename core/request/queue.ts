import { type Block, fitRows, renderBlock } from '../report/budget.js';
import { DEFAULT_MARKDOWN_BUDGET } from '../report/markdown.js';

export interface QueueEntry {
  workflowId: string;
  repo: string;
  pr: number | null;
  benchmarks: string[];
  requester: string;
  state: string;
  /** ISO time the request was made. */
  requestedAt: string;
}

export interface QueueRow extends QueueEntry {
  /** 1-based place in line; 0 for a request that holds a runner slot. */
  position: number;
  waitedSeconds: number;
  /** Seconds from now until it is expected to start; null when no recent run tells how long runs take. */
  expectedStartSeconds: number | null;
}

const ACTIVE = new Set(['building', 'running', 'comparing']);

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Orders the queue (running first, then by request time) and estimates when each waiting request
 * starts: slots drain in parallel, each taking the median duration of recent runs.
 */
export function queueRows(
  entries: readonly QueueEntry[],
  now: Date,
  recentRunSeconds: readonly number[],
  slots: number,
): QueueRow[] {
  const typical = median(recentRunSeconds);
  const byTime = (a: QueueEntry, b: QueueEntry) => a.requestedAt.localeCompare(b.requestedAt);
  const active = entries.filter((e) => ACTIVE.has(e.state)).sort(byTime);
  const waiting = entries.filter((e) => !ACTIVE.has(e.state)).sort(byTime);
  const waited = (e: QueueEntry) => Math.max(0, (now.getTime() - Date.parse(e.requestedAt)) / 1000);
  const freeSlots = Math.max(0, slots - active.length);
  return [
    ...active.map((e) => ({ ...e, position: 0, waitedSeconds: waited(e), expectedStartSeconds: 0 })),
    ...waiting.map((e, i) => ({
      ...e,
      position: i + 1,
      waitedSeconds: waited(e),
      expectedStartSeconds:
        i < freeSlots ? 0 : typical === null ? null : Math.ceil((i + 1 - freeSlots) / slots) * typical,
    })),
  ];
}

export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

const cells = (row: QueueRow) => [
  row.position === 0 ? 'running' : String(row.position),
  row.repo,
  row.pr === null ? '—' : `#${row.pr}`,
  row.benchmarks.join(' '),
  `@${row.requester}`,
  row.state,
  humanDuration(row.waitedSeconds),
  row.position === 0
    ? '—'
    : row.expectedStartSeconds === null
      ? 'unknown'
      : `in ~${humanDuration(row.expectedStartSeconds)}`,
];

const HEADER = [
  'position',
  'repository',
  'PR',
  'benchmarks',
  'requester',
  'state',
  'waited',
  'expected start',
];

/**
 * The reply to `show benchmark queue`. A long queue is cut after the rows that fit in `budget`
 * characters (GitHub refuses longer comments, and a refused reply is retried, never posted); the
 * count line still gives the whole queue.
 */
export function renderQueueMarkdown(
  rows: readonly QueueRow[],
  budget: number = DEFAULT_MARKDOWN_BUDGET,
): string {
  if (rows.length === 0) return '**Benchmark queue:** empty. A new request starts right away.';
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  const summary = `**Benchmark queue:** ${rows.filter((r) => r.position === 0).length} running, ${rows.filter((r) => r.position > 0).length} waiting.`;
  const table: Block = {
    head: ['', `| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`],
    rows: rows.map((row) => `| ${cells(row).map(escapeCell).join(' | ')} |`),
    // The blank line ends the table; without it GitHub would read the note as one more row.
    more: (left) =>
      `\n…and ${left} more request${left === 1 ? '' : 's'}, too many for one comment: \`benchbot queue\` lists them all.`,
  };
  const [shown = 0] = fitRows([table], summary.length + 1 + renderBlock(table, 0).length, budget);
  return `${summary}\n${renderBlock(table, shown)}`;
}

/** `benchbot queue` in a terminal: the same table, aligned. */
export function renderQueueText(rows: readonly QueueRow[]): string {
  if (rows.length === 0) return 'The benchmark queue is empty.';
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  return table
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
