import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CommitRecord, CommitSource } from './commits.js';

const run = promisify(execFile);
const FIELDS = ['%H', '%P', '%T', '%an', '%ae', '%at', '%cn', '%ce', '%ct', '%B'];
const FORMAT = `${FIELDS.join('%x00')}%x00`;

/**
 * History read from a real repository with git itself, so merge bases and ranges in tests are the
 * ones git (and therefore GitHub) computes, not a re-implementation's.
 */
export class GitCommitSource implements CommitSource {
  private readonly cache = new Map<string, CommitRecord>();

  constructor(private readonly path: string) {}

  async resolve(ref: string): Promise<string | null> {
    // A ref beginning with '-' would be read as an option.
    if (ref.startsWith('-') || ref.length === 0) return null;
    const name = ref.replace(/^(heads|tags)\//, 'refs/$1/');
    const out = await this.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`]);
    return out === null ? null : out.trim();
  }

  async get(sha: string): Promise<CommitRecord | null> {
    const [record] = await this.load([sha]);
    return record ?? null;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const out = await this.git(['merge-base', a, b]);
    return out === null ? null : out.trim();
  }

  async range(base: string, head: string): Promise<CommitRecord[]> {
    return this.load(await this.revList(['--reverse', '--topo-order', `${base}..${head}`]));
  }

  async history(sha: string): Promise<CommitRecord[]> {
    return this.load(await this.revList([sha]));
  }

  private async revList(args: string[]): Promise<string[]> {
    const out = await this.git(['rev-list', ...args]);
    return out === null ? [] : out.split('\n').filter((line) => line.length > 0);
  }

  private async load(shas: string[]): Promise<CommitRecord[]> {
    const missing = shas.filter((sha) => !this.cache.has(sha));
    if (missing.length > 0) {
      const out = await this.git(['show', '-s', '--no-walk=unsorted', `--format=${FORMAT}`, ...missing]);
      if (out !== null) for (const record of parseShow(out)) this.cache.set(record.sha, record);
    }
    return shas.flatMap((sha) => {
      const record = this.cache.get(sha);
      return record === undefined ? [] : [record];
    });
  }

  private async git(args: string[]): Promise<string | null> {
    try {
      const { stdout } = await run('git', ['-C', this.path, ...args], { maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    } catch {
      return null;
    }
  }
}

function parseShow(out: string): CommitRecord[] {
  const parts = out.split('\0');
  const records: CommitRecord[] = [];
  for (let i = 0; i + FIELDS.length <= parts.length; i += FIELDS.length) {
    const [sha, parents, tree, an, ae, at, cn, ce, ct, body] = parts.slice(i, i + FIELDS.length);
    const trimmedSha = (sha ?? '').trim();
    if (trimmedSha.length === 0) continue;
    records.push({
      sha: trimmedSha,
      parents: (parents ?? '').split(' ').filter((p) => p.length > 0),
      tree: tree ?? '',
      message: (body ?? '').replace(/\n+$/, ''),
      author: { name: an ?? '', email: ae ?? '', date: Number(at) * 1000 },
      committer: { name: cn ?? '', email: ce ?? '', date: Number(ct) * 1000 },
    });
  }
  return records;
}
