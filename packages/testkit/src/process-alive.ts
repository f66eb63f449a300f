// Whether a pid still runs, for tests that check a process really stopped.

import { readFileSync } from 'node:fs';

/** True while `pid` runs. An orphaned zombie counts as gone: it no longer runs, it only waits for init to reap it. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
