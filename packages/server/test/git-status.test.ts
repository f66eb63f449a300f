import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countTextLines, parseNumstat, parsePorcelainV2, shortRepoName } from '../src/workspaces/git-status-parse';
import { Coalescer, gitTopLevel, readGitStatus } from '../src/workspaces/git-status';
import { commitFiles, git, makeRepo, makeRepoWithUpstream, removeRepos, tempDir } from './support/git-repos';

afterEach(() => removeRepos());

describe('parsePorcelainV2', () => {
  const z = (...records: string[]) => records.join('\0') + '\0';

  it.each([
    [
      'a clean branch with an upstream',
      z('# branch.oid 1234', '# branch.head main', '# branch.upstream origin/main', '# branch.ab +3 -1'),
      { branch: 'main', oid: '1234', upstream: 'origin/main', ahead: 3, behind: 1, changedPaths: [], untrackedPaths: [] },
    ],
    [
      'a repository without commits or upstream',
      z('# branch.oid (initial)', '# branch.head main', '? new file.txt'),
      { branch: 'main', oid: '(initial)', upstream: null, ahead: 0, behind: 0, changedPaths: [], untrackedPaths: ['new file.txt'] },
    ],
    [
      'a detached head',
      z('# branch.oid abcd', '# branch.head (detached)'),
      { branch: 'HEAD', oid: 'abcd', upstream: null, ahead: 0, behind: 0, changedPaths: [], untrackedPaths: [] },
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(parsePorcelainV2(text)).toEqual(expected);
  });

  it('lists changed, renamed (skipping the origin record), unmerged and untracked paths; ignores ignored ones', () => {
    const text = z(
      '# branch.oid 1',
      '# branch.head dev',
      '1 .M N... 100644 100644 100644 aaa bbb dir/file with space.txt',
      '2 R. N... 100644 100644 100644 aaa bbb R100 new.txt',
      'old.txt',
      'u UU N... 100644 100644 100644 100644 a b c conflict.txt',
      '? untracked.txt',
      '! ignored.log',
    );
    const s = parsePorcelainV2(text);
    expect(s.changedPaths).toEqual(['dir/file with space.txt', 'new.txt', 'conflict.txt']);
    expect(s.untrackedPaths).toEqual(['untracked.txt']);
  });
});

describe('parseNumstat', () => {
  it.each([
    ['', { linesAdded: 0, linesRemoved: 0, files: 0 }],
    ['3\t1\ta.txt\n', { linesAdded: 3, linesRemoved: 1, files: 1 }],
    ['3\t1\ta.txt\n10\t0\tdir/b.ts\n-\t-\timage.png\n', { linesAdded: 13, linesRemoved: 1, files: 3 }],
    ['0\t4\told => new\n', { linesAdded: 0, linesRemoved: 4, files: 1 }],
  ])('parses %j', (text, expected) => {
    expect(parseNumstat(text)).toEqual(expected);
  });
});

describe('countTextLines and shortRepoName', () => {
  it.each([
    ['', 0],
    ['one', 1],
    ['one\n', 1],
    ['one\ntwo', 2],
    ['a\nb\nc\n', 3],
    ['bin\0ary\n', 0],
  ])('counts %j as %i lines', (text, n) => {
    expect(countTextLines(Buffer.from(text))).toBe(n);
  });

  it.each([
    ['git@github.com:user/repo.git', 'repo'],
    ['https://github.com/user/switchboard.git', 'switchboard'],
    ['https://example.com/a/b/c/', 'c'],
    ['/home/me/work/project', 'project'],
    ['plain', 'plain'],
  ])('short name of %s is %s', (repo, short) => {
    expect(shortRepoName(repo)).toBe(short);
  });
});

describe('Coalescer', () => {
  it('never runs two tasks of one key at once and folds calls made meanwhile into one follow-up run', async () => {
    const c = new Coalescer<number>();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gates: Array<() => void> = [];
    const task = () =>
      new Promise<number>((resolve) => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        const n = runs;
        gates.push(() => {
          active--;
          resolve(n);
        });
      });
    const first = c.run('ws', task);
    const queued = [c.run('ws', task), c.run('ws', task), c.run('ws', task)];
    expect(c.isRunning('ws')).toBe(true);
    await Promise.resolve();
    expect(runs).toBe(1);
    gates.shift()!();
    expect(await first).toBe(1);
    await waitUntil(() => gates.length === 1);
    expect(runs).toBe(2);
    gates.shift()!();
    expect(await Promise.all(queued)).toEqual([2, 2, 2]);
    expect(maxActive).toBe(1);
    expect(c.isRunning('ws')).toBe(false);
  });

  it('runs different keys concurrently and starts afresh after a failure', async () => {
    const c = new Coalescer<string>();
    const a = c.run('a', async () => 'a');
    const b = c.run('b', async () => 'b');
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    await expect(c.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await c.run('a', async () => 'again')).toBe('again');
  });
});

describe('readGitStatus against real repositories', () => {
  it('reports a clean checkout with its branch and, without a remote, its path as repo', async () => {
    const dir = await makeRepo();
    const s = await readGitStatus(dir);
    expect(s).toMatchObject({
      branch: 'main',
      git_ahead: 0,
      git_behind: 0,
      git_dirty: false,
      git_lines_added: 0,
      git_lines_removed: 0,
      git_files_changed: 0,
    });
    expect(s.short_repo).toBe(shortRepoName(s.repo));
  });

  it('counts modified, staged, deleted and untracked files and their lines', async () => {
    const dir = await makeRepo();
    writeFileSync(join(dir, 'src.txt'), 'a\nB\nc\nd\ne\nf\n'); // 1 changed line + 1 added: +2 -1
    appendFileSync(join(dir, 'README.md'), 'more\n'); // +1
    await git(dir, 'add', 'README.md'); // staged changes count too
    writeFileSync(join(dir, 'new.txt'), 'x\ny\nz'); // untracked: 3 lines
    const s = await readGitStatus(dir);
    expect(s).toMatchObject({ git_dirty: true, git_lines_added: 6, git_lines_removed: 1, git_files_changed: 3 });
    renameSync(join(dir, 'src.txt'), join(dir, 'moved.txt'));
    const after = await readGitStatus(dir);
    expect(after.git_dirty).toBe(true);
    expect(after.git_lines_removed).toBe(5); // src.txt's 5 lines are gone from the tracked tree
  });

  it('reads ahead/behind against the upstream after real commits and a fetch', async () => {
    const { checkout, other } = await makeRepoWithUpstream();
    const s0 = await readGitStatus(checkout);
    expect(s0).toMatchObject({ git_ahead: 0, git_behind: 0, short_repo: expect.stringMatching(/^sb-bare-/) });
    await commitFiles(checkout, { 'mine.txt': '1\n' }, 'local 1');
    await commitFiles(checkout, { 'mine2.txt': '2\n' }, 'local 2');
    await commitFiles(other, { 'theirs.txt': 't\n' }, 'remote 1');
    await git(other, 'push', '-q', 'origin', 'main');
    expect(await readGitStatus(checkout)).toMatchObject({ git_ahead: 2, git_behind: 0 });
    await git(checkout, 'fetch', '-q');
    expect(await readGitStatus(checkout)).toMatchObject({ git_ahead: 2, git_behind: 1, git_dirty: false });
  });

  it('handles a repository without commits', async () => {
    const dir = tempDir('sb-empty-');
    await git(dir, 'init', '-q');
    writeFileSync(join(dir, 'first.txt'), 'one\ntwo\n');
    await git(dir, 'add', 'first.txt');
    expect(await readGitStatus(dir)).toMatchObject({ branch: 'main', git_dirty: true, git_lines_added: 2, git_files_changed: 1 });
  });

  it('tells a work tree from a plain directory', async () => {
    const dir = await makeRepo();
    expect(await gitTopLevel(dir)).toBeTruthy();
    expect(await gitTopLevel(tempDir('sb-plain-'))).toBeNull();
  });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition never became true');
}
