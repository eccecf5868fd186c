import { resolve } from 'node:path';
import { copySqliteRuns } from '../../adapters/results-store/copy-runs.js';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';

const say = (message: string) => console.error(`[benchbot] ${message}`);
const PROGRESS_EVERY_MS = 2_000;

/**
 * `benchbot store migrate [--from FILE.sqlite]`: brings the configured store to this version's schema,
 * and copies every run of an old SQLite store into it (idempotent: a second copy records nothing).
 */
export async function storeMigrate(config: BenchbotConfig, options: { from?: string }): Promise<number> {
  let target: Awaited<ReturnType<typeof openResultsStore>>;
  try {
    target = await openResultsStore(config, process.env);
  } catch (err) {
    console.error(`cannot open the results store: ${(err as Error).message}`);
    return 1;
  }
  try {
    say(`results store ${target.location} is at the current schema`);
    if (options.from === undefined) return 0;
    const source = resolve(options.from);
    if (config.results.store === 'sqlite' && resolve(config.results.path) === source) {
      console.error(
        `--from ${source} is the configured store itself; give the path of another results.sqlite`,
      );
      return 2;
    }
    let shown = 0;
    const result = await copySqliteRuns(source, target, (p) => {
      const now = Date.now();
      if (now - shown >= PROGRESS_EVERY_MS) {
        shown = now;
        say(`copying runs: ${p.copied + p.existing} of ${p.total} (${p.copied} new)`);
      }
    });
    if (result.copied === 0) {
      say(`nothing to copy: all ${result.total} runs of ${source} are already in ${target.location}`);
    } else {
      say(
        `copied ${result.copied} runs from ${source} to ${target.location}${result.existing > 0 ? ` (${result.existing} were already there)` : ''}`,
      );
    }
    return 0;
  } catch (err) {
    console.error(`cannot copy the runs: ${(err as Error).message}`);
    return 1;
  } finally {
    await target.close();
  }
}
