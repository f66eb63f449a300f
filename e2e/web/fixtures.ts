// Shared setup of the dashboard's browser tests and screenshots: build the web app once, start a real server
// that serves it, and fill it with a demo fleet.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventInput } from '@switchboard/protocol';
import { createFleetSimulator } from '../../apps/cli/src/demo/fleet-simulator';
import { createSeededRandom } from '../../apps/cli/src/demo/seeded-random';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const WEB_DIR = resolve(ROOT, 'apps/web');
/** Where `buildDashboard` writes the bundle. */
export const WEB_DIST_DIR = resolve(WEB_DIR, 'dist');

/** Build apps/web into apps/web/dist (what the server's web-dashboard feature serves). */
export function buildDashboard(): void {
  const vite = resolve(ROOT, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) throw new Error(`vite is not installed at ${vite}; run npm install`);
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit' });
}

/**
 * Events of a seeded demo fleet: `seconds` of activity at 6 events/s, generated at once on a fake clock so
 * every run shows the same sessions, agents, tasks and costs.
 */
export function demoFleetEvents(seconds: number, seed = 7): EventInput[] {
  let t = 0;
  const out: EventInput[] = [];
  const sim = createFleetSimulator({ publish: () => {}, random: createSeededRandom(seed), now: () => t });
  for (let i = 0; i < seconds; i++) {
    t += 1000;
    out.push(...sim.tick());
  }
  return out;
}

/** A unique name per test run (instances, plans), valid as an instance name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;
}
