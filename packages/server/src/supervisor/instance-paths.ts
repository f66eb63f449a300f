// Where an instance's files live: `<dataDir>/instances/<name>/` holds its output log, its env file (0600) and the
// marker of its current run. Names are validated and the result checked to stay inside the data dir (docs/control-plane.md).

import { join, resolve, sep } from 'node:path';
import { SwitchboardError, isInstanceName } from '@switchboard/protocol';

export interface InstancePaths {
  dir: string;
  /** stdout and stderr of every run, appended. */
  log: string;
  /** The environment's values; never in an event, a projection or an API answer. */
  env: string;
  /** `{pid, token}` of the current run, to recognise its process after a server crash. */
  run: string;
}

export function instancesRoot(dataDir: string): string {
  return resolve(dataDir, 'instances');
}

/** Paths of instance `name`; throws instance_not_found for a name that is not a valid instance name. */
export function instancePaths(dataDir: string, name: string): InstancePaths {
  const root = instancesRoot(dataDir);
  const dir = resolve(root, name);
  if (!isInstanceName(name) || !dir.startsWith(root + sep)) {
    throw new SwitchboardError('instance_not_found', `No instance named '${name.slice(0, 64)}'`);
  }
  return { dir, log: join(dir, 'output.log'), env: join(dir, 'env.json'), run: join(dir, 'run.json') };
}
