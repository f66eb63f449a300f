// What the table is measured on: CPU model and count, memory, Node version, and the fd limit of the run.

import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem, type } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  os: string;
  fdLimit: number;
  fdHardLimit: number;
}

/** `ulimit -n` (soft) and `ulimit -Hn` (hard) of this process, as a shell child inherits them. */
export function readFdLimits(): { soft: number; hard: number } {
  const out = spawnSync('sh', ['-c', 'ulimit -n; ulimit -Hn'], { encoding: 'utf8' }).stdout ?? '';
  const [soft, hard] = out.trim().split('\n').map((s) => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s)));
  return { soft: Number.isFinite(soft) && soft! > 0 ? soft! : 1024, hard: Number.isFinite(hard) && hard! > 0 ? hard! : soft ?? 1024 };
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  const fd = readFdLimits();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cpuCount: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    fdLimit: fd.soft,
    fdHardLimit: fd.hard,
  };
}
