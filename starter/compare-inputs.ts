import { createReadStream, readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  GoBenchReader,
  type ImportedBenchmark,
  type ImportResult,
  type InputFormat,
  importedLines,
  importResults,
  type ResultIssue,
  readsLineByLine,
} from '../core/results/index.js';
import { findOutputFiles } from '../runner/output-files.js';

// The reading side of `benchbot compare BASE CHANGED`: go test output is fed to the importer one
// line at a time, so a file of any size is never in memory whole; JSON files are read whole (a
// tool's JSON is one value). A folder is read as the runner reads a benchmark's output folder:
// criterion's (one target/criterion/<id>/new/sample.json per benchmark) unless --input-format names
// another tool.

export type ReadSide = { ok: true; result: ImportResult } | { ok: false; issue: ResultIssue };

/** Enough of the start of a file to see whether it is JSON. */
const HEAD_BYTES = 4096;

async function headOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Every line of the file, split at '\n' as String.prototype.split would, in order. */
async function readLines(path: string, onLine: (line: string) => void): Promise<void> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      onLine(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  onLine(rest);
}

async function importFile(
  path: string,
  file: string,
  format: InputFormat | undefined,
): Promise<ImportResult> {
  const mayBeLines = format === undefined || format === 'go-bench';
  if (mayBeLines && readsLineByLine(await headOf(path), format)) {
    const reader = new GoBenchReader(file);
    await readLines(path, (line) => reader.line(line));
    return importedLines(reader, file, format);
  }
  // Read at once: a JSON file is one value, and a folder's many small files are read fastest so.
  return importResults(readFileSync(path, 'utf8'), file, format);
}

async function importFolder(dir: string, format: InputFormat | undefined): Promise<ImportResult> {
  const tool = format ?? 'criterion';
  const root = resolve(dir);
  const files = await findOutputFiles(tool, root);
  if (files.length === 0) {
    const what =
      tool === 'criterion' ? 'no <benchmark>/new/sample.json under it' : `no ${tool} file under it`;
    return {
      ok: false,
      errors: [
        {
          file: dir,
          place: '',
          message: `is a folder with ${what}; pass criterion's folder (target/criterion), a results file, or --input-format with the tool that wrote the folder's files`,
        },
      ],
    };
  }
  const benchmarks: ImportedBenchmark[] = [];
  const warnings: ResultIssue[] = [];
  const errors: ResultIssue[] = [];
  for (const path of files) {
    // Named as the user named the folder, so criterion's names (taken from the path) and problems read alike.
    const result = await importFile(path, join(dir, relative(root, path)), tool);
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    for (const benchmark of result.benchmarks) benchmarks.push(benchmark);
    warnings.push(...result.warnings);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, format: tool, benchmarks, warnings };
}

/** One side of `benchbot compare BASE CHANGED`, or why the path cannot be read. */
export async function readSide(path: string, format: InputFormat | undefined): Promise<ReadSide> {
  try {
    const info = await stat(path);
    return {
      ok: true,
      result: info.isDirectory() ? await importFolder(path, format) : await importFile(path, path, format),
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : String(error);
    return {
      ok: false,
      issue: { file: path, place: '', message: `cannot read it (${why}); pass the path of a results file` },
    };
  }
}
