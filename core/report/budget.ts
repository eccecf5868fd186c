/** A list that may be shortened to fit: its rows are whole lines and are never cut. */
export interface Block {
  head: string[];
  rows: string[];
  /** The line that stands for the rows left out. */
  more: (left: number) => string;
}

export function renderBlock(block: Block, shown: number): string {
  const lines = [...block.head, ...block.rows.slice(0, shown)];
  if (shown < block.rows.length) lines.push(block.more(block.rows.length - shown));
  return lines.join('\n');
}

/** Rows every block keeps before any block gets more, so a long first list cannot hide the others. */
const FAIR_SHARE = 20;

/**
 * How many rows of each block fit in `budget` characters besides `fixed` (the length of everything
 * else, with every block rendered without rows). Blocks earlier in the list get rows first.
 */
export function fitRows(blocks: readonly Block[], fixed: number, budget: number): number[] {
  let left = budget - fixed;
  const shown = blocks.map(() => 0);
  const take = (limit: (block: Block) => number) => {
    blocks.forEach((block, i) => {
      let n = shown[i] as number;
      while (n < limit(block)) {
        const cost = (block.rows[n] as string).length + 1;
        if (cost > left) break;
        left -= cost;
        n++;
      }
      shown[i] = n;
    });
  };
  take((block) => Math.min(block.rows.length, FAIR_SHARE));
  take((block) => block.rows.length);
  return shown;
}
