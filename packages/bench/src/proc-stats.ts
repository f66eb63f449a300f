// CPU time and resident memory of another process, read from /proc so a busy server is measured without waiting
// for its event loop to answer. Linux only; callers fall back to the process's own report over IPC elsewhere.

import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every mainstream Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid` in ms, or null when /proc is unavailable. */
export function readCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** Resident set size of `pid` in bytes, or null when /proc is unavailable. */
export function readRssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Busy CPU time of the whole machine in ms (all cores), from /proc/stat; null when unavailable. */
export function readMachineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    const busy = f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!;
    return Number.isFinite(busy) ? (busy * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
