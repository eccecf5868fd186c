import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type History, historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';

// A history set: test/replay/histories/<version>/, one <case>.json per workflow run (the format of
// historyToJSON and `temporal workflow show --output json`) and a manifest with the workflow ids,
// which a history does not hold and which the workflows read (workflowInfo().workflowId).

export const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'replay', 'histories');
export const MANIFEST = 'workflows.json';

export interface CapturedWorkflow {
  workflowId: string;
  workflowType: string;
  /** How the run ended. */
  status: string;
  /** The path through the workflow this history stands for. */
  path: string;
}

export interface Manifest {
  /** The commit whose workflows recorded the set. */
  capturedFrom: string;
  capturedAt: string;
  workflows: Record<string, CapturedWorkflow>;
}

export interface StoredHistory {
  /** `<version>/<case>.json`, relative to HISTORIES_DIR. */
  file: string;
  workflowId: string;
  history: History;
}

/** Every history of every set, each with the workflow id it ran under. */
export async function loadHistories(root = HISTORIES_DIR): Promise<StoredHistory[]> {
  const stored: StoredHistory[] = [];
  for (const version of (await readdir(root)).sort()) {
    const manifestFile = join(root, version, MANIFEST);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    const files = (await readdir(join(root, version))).filter((f) => f !== MANIFEST).sort();
    for (const file of files) {
      const name = file.replace(/\.json$/, '');
      const entry = manifest.workflows[name];
      if (!file.endsWith('.json') || !entry) {
        throw new Error(
          `${version}/${file} is not listed in ${version}/${MANIFEST}. Fix: capture sets with ` +
            'test/replay/capture-histories.ts, or add its workflow id to the manifest.',
        );
      }
      stored.push({
        file: `${version}/${file}`,
        workflowId: entry.workflowId,
        history: historyFromJSON(JSON.parse(await readFile(join(root, version, file), 'utf8'))),
      });
    }
    const missing = Object.keys(manifest.workflows).filter((name) => !files.includes(`${name}.json`));
    if (missing.length > 0) {
      throw new Error(`${version}/${MANIFEST} lists ${missing.join(', ')}, which have no history file`);
    }
  }
  return stored;
}
