// The scenarios of a run (issue 5): rate cells, saturation, idle connections and resume, in full and --quick form.

import type { TargetName } from './targets';

interface Base {
  /** Name used by --scenarios. */
  id: string;
  /** Targets this scenario runs against; all when unset. */
  servers?: TargetName[];
}

/** Fixed publish rate to N subscribers (open loop): delivery, latency, loss. */
export interface RateScenario extends Base {
  kind: 'rate';
  subscribers: number;
  eventsPerSecond: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
}

/** Publisher as fast as the slowest subscriber keeps up (closed loop, bounded window): peak delivered frames/s. */
export interface SaturationScenario extends Base {
  kind: 'saturation';
  subscribers: number;
  /** Runs of every server, interleaved (A B C D A B C D); the best is kept, so a burst of other load on the
   *  machine during one run does not decide the ratio. @default 1 */
  rounds?: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
}

/** N idle subscribers: RSS per connection after GC, and heartbeat CPU with a shortened ping period. */
export interface IdleScenario extends Base {
  kind: 'idle';
  connections: number;
  pingIntervalMs: number;
  cpuWindowMs: number;
}

/** Switchboard only: reconnect with a cursor `gap` events back and time the replay. */
export interface ResumeScenario extends Base {
  kind: 'resume';
  gap: number;
  tries: number;
}

export type Scenario = RateScenario | SaturationScenario | IdleScenario | ResumeScenario;

const rate = (subscribers: number, eventsPerSecond: number, measureMs: number): RateScenario => ({
  id: `${kilo(subscribers)}-${eventsPerSecond}`,
  kind: 'rate',
  subscribers,
  eventsPerSecond,
  warmupMs: 1000,
  measureMs,
  drainMs: 3000,
});

/** The full run (under 10 minutes on the 2-core machine). */
export const FULL_SCENARIOS: Scenario[] = [
  rate(1000, 20, 5000),
  rate(1000, 100, 5000),
  rate(5000, 50, 5000),
  rate(10_000, 20, 5000),
  { id: 'sat-1k', kind: 'saturation', subscribers: 1000, rounds: 2, warmupMs: 1000, measureMs: 4000, drainMs: 2000 },
  { id: 'idle-10k', kind: 'idle', connections: 10_000, pingIntervalMs: 5000, cpuWindowMs: 10_000 },
  { id: 'idle-50k', kind: 'idle', connections: 50_000, pingIntervalMs: 5000, cpuWindowMs: 10_000, servers: ['switchboard', 'ws-corked'] },
  { id: 'resume', kind: 'resume', gap: 1000, tries: 50, servers: ['switchboard'] },
];

/** `--quick`: one rate cell, saturation, a small idle cell and resume (about a minute). */
export const QUICK_SCENARIOS: Scenario[] = [
  { ...rate(1000, 20, 2000), warmupMs: 500, drainMs: 2000 },
  { id: 'sat-1k', kind: 'saturation', subscribers: 1000, warmupMs: 500, measureMs: 2000, drainMs: 2000 },
  { id: 'idle-2k', kind: 'idle', connections: 2000, pingIntervalMs: 1000, cpuWindowMs: 2000 },
  { id: 'resume', kind: 'resume', gap: 1000, tries: 20, servers: ['switchboard'] },
];

function kilo(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/** Pick scenarios by id (from --scenarios); unknown ids are an error naming the known ones. */
export function selectScenarios(all: Scenario[], ids: readonly string[] | undefined): Scenario[] {
  if (!ids || ids.length === 0) return all;
  const known = new Map([...FULL_SCENARIOS, ...QUICK_SCENARIOS].map((s) => [s.id, s]));
  for (const s of all) known.set(s.id, s);
  return ids.map((id) => {
    const s = all.find((x) => x.id === id) ?? known.get(id);
    if (!s) throw new Error(`unknown scenario "${id}"; known: ${[...known.keys()].join(', ')}`);
    return s;
  });
}
