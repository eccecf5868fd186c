import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';

// A history set: test/replay/histories/<version>/, one <case>.json per workflow run and a manifest
// with the workflow ids, which a history does not hold and which the workflows read
// (workflowInfo().workflowId).
//
// The JSON is protobufjs's own object form of @temporalio/proto's History (enum names, 64-bit
// integers as strings, bytes as base64), which converts back to the same message losslessly. Not
// historyToJSON/historyFromJSON of @temporalio/common: in this install @temporalio/common and
// @temporalio/proto each carry their own copy of protobufjs 8 (the root has 7 for @grpc/proto-loader),
// and protojson's `instanceof Type` check fails across the copies ("type must be a Type").

const History = proto.temporal.api.history.v1.History;
type History = proto.temporal.api.history.v1.IHistory;
const JSON_FORM = { longs: String, enums: String, bytes: String } as const;

export function historyToStoredJSON(history: History): string {
  return `${JSON.stringify(History.toObject(History.fromObject(history), JSON_FORM), null, 2)}\n`;
}

export function historyFromStoredJSON(text: string): proto.temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(text));
}

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
  history: proto.temporal.api.history.v1.History;
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
        history: historyFromStoredJSON(await readFile(join(root, version, file), 'utf8')),
      });
    }
    const missing = Object.keys(manifest.workflows).filter((name) => !files.includes(`${name}.json`));
    if (missing.length > 0) {
      throw new Error(`${version}/${MANIFEST} lists ${missing.join(', ')}, which have no history file`);
    }
  }
  return stored;
}
