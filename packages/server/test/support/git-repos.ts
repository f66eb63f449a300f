// Real git repositories in temp dirs for workspace tests: a checkout with one commit, optionally cloned from a bare
// upstream so ahead/behind can be produced by real commits and fetches.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Switchboard Test',
  GIT_AUTHOR_EMAIL: 'test@switchboard.invalid',
  GIT_COMMITTER_NAME: 'Switchboard Test',
  GIT_COMMITTER_EMAIL: 'test@switchboard.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/** Run git in `cwd` (async, so the in-process server keeps serving); resolves with stdout. */
export function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env: ENV }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Temp directories made by this module; `removeRepos()` deletes them. */
const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Write `files` (path → content) into `dir` and commit them. */
export async function commitFiles(dir: string, files: Record<string, string>, message = 'change'): Promise<void> {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
}

/** A repository with one commit of `README.md` (3 lines) and `src.txt` (5 lines). */
export async function makeRepo(): Promise<string> {
  const dir = tempDir('sb-repo-');
  await git(dir, 'init', '-q');
  await commitFiles(dir, { 'README.md': '# demo\n\ntext\n', 'src.txt': 'a\nb\nc\nd\ne\n' }, 'initial');
  return dir;
}

/** A bare upstream, a checkout cloned from it (tracking origin/main) and a second clone to push from. */
export async function makeRepoWithUpstream(): Promise<{ bare: string; checkout: string; other: string }> {
  const seed = await makeRepo();
  const bare = tempDir('sb-bare-');
  await git(bare, 'clone', '-q', '--bare', seed, bare);
  const checkout = tempDir('sb-checkout-');
  await git(checkout, 'clone', '-q', bare, checkout);
  const other = tempDir('sb-other-');
  await git(other, 'clone', '-q', bare, other);
  return { bare, checkout, other };
}

export function removeRepos(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
