import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputFormat } from '../core/results/importers/types.js';

// Where each tool leaves its numbers. A file path is read as is. A directory is read whole, because
// real harnesses choose file names the config cannot know: DataFusion's bench.sh writes
// results/<branch>/tpch_sf1.json, criterion one folder per benchmark id.

/**
 * Every file under `dir`, one folder at a time: criterion leaves a folder per benchmark, and reading
 * all of them at once took 100 MB outside the JavaScript heap for 10,000 benchmarks.
 */
async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  const folders = [dir];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile()) files.push(path);
    }
  }
  return files;
}

function wanted(format: InputFormat, path: string): boolean {
  // criterion keeps old runs (base/, change/) and HTML next to the new samples.
  if (format === 'criterion') return /[\\/]new[\\/]sample\.json$/.test(path);
  if (format === 'go-bench') return true;
  return path.endsWith('.json');
}

/** The files a run produced at `path` (absolute), sorted; empty when it wrote nothing there. */
export async function findOutputFiles(format: InputFormat, path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (info === null) return [];
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  return (await walk(path)).filter((file) => wanted(format, file)).sort();
}

/** Removes what an earlier run left at `path`, so a stale file is never read as a new result. */
export async function clearOutput(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
