import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWorktrees } from '../../runner/workspace.js';
import { type FixtureRepo, makeFixtureRepo, makeSpec } from './fixture-repo.js';

let repo: FixtureRepo;
const dirs: string[] = [];

beforeAll(async () => {
  repo = await makeFixtureRepo();
});

afterAll(async () => {
  for (const dir of [repo.dir, ...dirs]) await rm(dir, { recursive: true, force: true });
});

const head = (dir: string) =>
  execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();

describe('the job workspace', () => {
  it('resumes after a runner killed mid-git, whose lock files are left behind', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'benchbot-workspace-'));
    dirs.push(workDir);
    const spec = makeSpec(repo, 'slow', []);
    const first = await prepareWorktrees(spec, workDir, () => {});
    // What a SIGKILL during `git worktree add`, `git reset` or `git fetch` leaves: git's lock files,
    // which make every later git command in the clone or the worktree refuse to run.
    const gitDir = join(workDir, 'repo', '.git');
    const stale = [
      join(gitDir, 'index.lock'),
      join(gitDir, 'packed-refs.lock'),
      join(gitDir, 'shallow.lock'),
      join(gitDir, 'worktrees', 'a', 'index.lock'),
      join(gitDir, 'worktrees', 'b', 'index.lock'),
    ];
    for (const lock of stale) await writeFile(lock, '');
    await writeFile(join(first.changed, 'work.json'), 'half-writ');
    const lines: string[] = [];
    const again = await prepareWorktrees(spec, workDir, (line) => lines.push(line));
    expect(again).toEqual(first);
    expect(head(again.baseline)).toBe(repo.shas.main);
    expect(head(again.changed)).toBe(repo.shas.slow);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: again.changed, encoding: 'utf8' })).toBe('');
    expect(lines.join('\n')).toMatch(/removed 5 lock files a killed git left/);
  });

  it('resumes after a runner killed inside `git worktree add`, which leaves the worktree locked', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'benchbot-workspace-'));
    dirs.push(workDir);
    const spec = makeSpec(repo, 'slow', []);
    const first = await prepareWorktrees(spec, workDir, () => {});
    // `git worktree add` marks the new worktree locked ("initializing") until it is done.
    await writeFile(join(workDir, 'repo', '.git', 'worktrees', 'b', 'locked'), 'initializing\n');
    await rm(first.changed, { recursive: true, force: true });
    const again = await prepareWorktrees(spec, workDir, () => {});
    expect(head(again.changed)).toBe(repo.shas.slow);
  });
});
