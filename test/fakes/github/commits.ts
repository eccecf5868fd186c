import { createHash } from 'node:crypto';

export interface GitPerson {
  name: string;
  email: string;
  /** epoch ms, whole seconds */
  date: number;
}

export interface CommitRecord {
  sha: string;
  parents: string[];
  tree: string;
  message: string;
  author: GitPerson;
  committer: GitPerson;
}

/**
 * Where a fake repository's history comes from: an in-memory graph by default, or a real git
 * repository on disk so merge bases and commit ranges are exactly what git computes.
 */
export interface CommitSource {
  /** A full SHA for a SHA (full or unambiguous prefix), branch, `heads/x`, `tags/x` or `refs/...`; null if unknown. */
  resolve(ref: string): Promise<string | null>;
  get(sha: string): Promise<CommitRecord | null>;
  mergeBase(a: string, b: string): Promise<string | null>;
  /** Commits reachable from `head` and not from `base` (`git log base..head`), oldest first. */
  range(base: string, head: string): Promise<CommitRecord[]>;
  /** Commits reachable from `sha`, newest first (what `git log sha` lists). */
  history(sha: string): Promise<CommitRecord[]>;
}

export interface NewCommit {
  message?: string;
  /** Parent SHAs; defaults to the tip of `branch` when that branch exists, else none (a root commit). */
  parents?: string[];
  /** Branch to advance to the new commit. */
  branch?: string;
  author?: Partial<GitPerson>;
  committer?: Partial<GitPerson>;
}

const DEFAULT_PERSON = { name: 'Fake Author', email: 'author@example.com' };

export class MemoryCommitGraph implements CommitSource {
  private readonly commits = new Map<string, CommitRecord>();
  private readonly branches = new Map<string, string>();
  private readonly tags = new Map<string, string>();
  private counter = 0;

  constructor(private readonly now: () => number) {}

  add(spec: NewCommit = {}): CommitRecord {
    const tip = spec.branch === undefined ? undefined : this.branches.get(spec.branch);
    const parents = spec.parents ?? (tip === undefined ? [] : [tip]);
    for (const parent of parents) {
      if (!this.commits.has(parent))
        throw new Error(`addCommit: parent ${parent} is not a commit of this repository`);
    }
    const date = Math.floor((spec.committer?.date ?? spec.author?.date ?? this.now()) / 1000) * 1000;
    const author = { ...DEFAULT_PERSON, date, ...spec.author };
    const committer = { ...author, ...spec.committer };
    const message = spec.message ?? `commit ${++this.counter}`;
    const sha = sha1(
      ['commit', this.counter, parents.join(' '), message, date, this.commits.size].join('\n'),
    );
    const record: CommitRecord = { sha, parents, tree: sha1(`tree ${sha}`), message, author, committer };
    this.commits.set(sha, record);
    if (spec.branch !== undefined) this.branches.set(spec.branch, sha);
    return record;
  }

  setBranch(name: string, sha: string): void {
    if (!this.commits.has(sha)) throw new Error(`setBranch: ${sha} is not a commit of this repository`);
    this.branches.set(name, sha);
  }

  setTag(name: string, sha: string): void {
    if (!this.commits.has(sha)) throw new Error(`setTag: ${sha} is not a commit of this repository`);
    this.tags.set(name, sha);
  }

  async resolve(ref: string): Promise<string | null> {
    const name = ref.replace(/^refs\//, '');
    if (name.startsWith('heads/')) return this.branches.get(name.slice('heads/'.length)) ?? null;
    if (name.startsWith('tags/')) return this.tags.get(name.slice('tags/'.length)) ?? null;
    if (this.commits.has(name)) return name;
    const named = this.branches.get(name) ?? this.tags.get(name);
    if (named !== undefined) return named;
    if (!/^[0-9a-f]{4,39}$/.test(name)) return null;
    const matches = [...this.commits.keys()].filter((sha) => sha.startsWith(name));
    return matches.length === 1 ? (matches[0] ?? null) : null;
  }

  async get(sha: string): Promise<CommitRecord | null> {
    return this.commits.get(sha) ?? null;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const fromA = this.ancestors(a);
    const common = [...this.ancestors(b)].filter((sha) => fromA.has(sha));
    // The best common ancestors are those no other common ancestor descends from.
    const best = common.filter((candidate) =>
      common.every((other) => other === candidate || !this.ancestors(other).has(candidate)),
    );
    best.sort(
      (x, y) => (this.commits.get(y)?.committer.date ?? 0) - (this.commits.get(x)?.committer.date ?? 0),
    );
    return best[0] ?? null;
  }

  async range(base: string, head: string): Promise<CommitRecord[]> {
    const excluded = this.ancestors(base);
    return this.topologicalOldestFirst(head).filter((commit) => !excluded.has(commit.sha));
  }

  async history(sha: string): Promise<CommitRecord[]> {
    return this.topologicalOldestFirst(sha).reverse();
  }

  /** `sha` and everything reachable from it. */
  private ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop();
      if (next === undefined || seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  /** Depth-first post-order puts every parent before its children. */
  private topologicalOldestFirst(sha: string): CommitRecord[] {
    const order: CommitRecord[] = [];
    const seen = new Set<string>();
    const visit = (root: string): void => {
      const stack: { sha: string; expanded: boolean }[] = [{ sha: root, expanded: false }];
      while (stack.length > 0) {
        const top = stack.pop();
        if (top === undefined) break;
        const commit = this.commits.get(top.sha);
        if (commit === undefined) continue;
        if (top.expanded) {
          order.push(commit);
          continue;
        }
        if (seen.has(top.sha)) continue;
        seen.add(top.sha);
        stack.push({ sha: top.sha, expanded: true });
        for (const parent of [...commit.parents].reverse()) {
          if (!seen.has(parent)) stack.push({ sha: parent, expanded: false });
        }
      }
    };
    visit(sha);
    return order;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
