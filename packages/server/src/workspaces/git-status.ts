// Reads a workspace's git status by running git asynchronously (execFile, never a sync call on the event loop), and
// coalesces refreshes so one workspace never has two git runs at once (docs/workspaces-and-plans.md).

import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceGitStatus } from '@switchboard/projections';
import { countTextLines, parseNumstat, parsePorcelainV2, shortRepoName } from './git-status-parse';

/** The git-derived fields of a workspace-dashboard workspace. */
export type WorkspaceGitInfo = WorkspaceGitStatus & { repo: string; branch: string; short_repo: string };

/** Longest a single git command may run before it is killed. @default 15000 */
const GIT_TIMEOUT_MS = 15_000;
/** Untracked files whose lines are counted; more are counted as files only. @default 200 */
const MAX_UNTRACKED_COUNTED = 200;
/** Bytes read of an untracked file to count its lines. @default 1 MiB */
const MAX_UNTRACKED_BYTES = 1024 * 1024;
/** The empty tree: what a repository without commits is diffed against. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

// No optional locks: a status refresh must not take index.lock from under the agent working in the checkout.
const GIT_ENV = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

/** Run `git -C cwd ...args`; resolves with stdout, rejects with git's stderr on a non-zero exit. */
export function runGit(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', cwd, ...args], { env: GIT_ENV, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(String(stderr).trim() || err.message), { code: (err as NodeJS.ErrnoException).code }));
      else resolve(stdout);
    });
  });
}

/** The top level of the work tree containing `path`, or `null` when it is not inside a git work tree. */
export async function gitTopLevel(path: string): Promise<string | null> {
  try {
    const out = (await runGit(path, ['rev-parse', '--show-toplevel'])).trim();
    return out || null;
  } catch {
    return null;
  }
}

/** Read repo, branch and the git_* fields of the checkout at `path`. */
export async function readGitStatus(path: string): Promise<WorkspaceGitInfo> {
  const [statusText, repoUrl] = await Promise.all([
    runGit(path, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all']),
    runGit(path, ['config', '--get', 'remote.origin.url']).then((s) => s.trim(), () => ''),
  ]);
  const status = parsePorcelainV2(statusText);
  const base = status.oid === '(initial)' || status.oid === '' ? EMPTY_TREE : 'HEAD';
  const [numstatText, untracked] = await Promise.all([
    runGit(path, ['diff', '--numstat', base]),
    countUntrackedLines(path, status.untrackedPaths),
  ]);
  const diff = parseNumstat(numstatText);
  const repo = repoUrl || path;
  return {
    repo,
    branch: status.branch,
    short_repo: shortRepoName(repo),
    git_ahead: status.ahead,
    git_behind: status.behind,
    git_dirty: status.changedPaths.length > 0 || status.untrackedPaths.length > 0,
    git_lines_added: diff.linesAdded + untracked,
    git_lines_removed: diff.linesRemoved,
    git_files_changed: diff.files + status.untrackedPaths.length,
  };
}

/** New files count as added lines, as they would once staged (bounded: a huge untracked tree is not read). */
async function countUntrackedLines(root: string, paths: string[]): Promise<number> {
  let total = 0;
  for (const p of paths.slice(0, MAX_UNTRACKED_COUNTED)) {
    try {
      const fh = await open(join(root, p), 'r');
      try {
        const buf = Buffer.alloc(MAX_UNTRACKED_BYTES);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        total += countTextLines(buf.subarray(0, bytesRead));
      } finally {
        await fh.close();
      }
    } catch {
      // Gone since git listed it, or not a regular file: it still counts as a changed file.
    }
  }
  return total;
}

/**
 * Runs at most one task per key at a time. A call while a run is in flight queues exactly one follow-up run (shared
 * by every caller meanwhile), which starts after the current one and so sees every change made before the call.
 */
export class Coalescer<T> {
  private readonly slots = new Map<string, { running?: Promise<T>; queued?: Promise<T> }>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {};
      this.slots.set(key, slot);
    }
    const running = slot.running;
    if (!running) return this.start(key, slot, task);
    if (slot.queued) return slot.queued;
    const s = slot;
    const queued = running.then(noop, noop).then(() => {
      s.queued = undefined;
      return this.start(key, s, task);
    });
    s.queued = queued;
    return queued;
  }

  /** Whether a run for `key` is in flight. */
  isRunning(key: string): boolean {
    return Boolean(this.slots.get(key)?.running);
  }

  private start(key: string, slot: { running?: Promise<T>; queued?: Promise<T> }, task: () => Promise<T>): Promise<T> {
    const p = Promise.resolve().then(task);
    slot.running = p;
    const done = () => {
      // With a follow-up queued, `running` stays set until it starts, so no caller slips in between the two.
      if (slot.running !== p || slot.queued) return;
      slot.running = undefined;
      this.slots.delete(key);
    };
    p.then(done, done);
    return p;
  }
}

function noop(): void {}
