// `/ws/instances/:name/logs?backlog=N` (docs/control-plane.md): `backlog` then `lines` frames continuing exactly where
// it ended, `rotated` when the file is replaced or shrinks. An unknown instance ends with instance_not_found (4404),
// a bad backlog with invalid_backlog (4400); deleting the instance ends its viewers with instance_not_found. In
// cluster mode, a node that does not supervise the instance ends with invalid_state naming the owner (4409).
// `file` and `offset` (together, as the last `lines` frame gave them) resume exactly where a viewer stopped
// (docs/control-plane.md "Exact log resume"); a malformed pair is validation_failed (4400).

import { DEFAULT_LOG_BACKLOG, MAX_LOG_BACKLOG, SwitchboardError, isInstanceName } from '@switchboard/protocol';
import { instancesOf } from '@switchboard/projections';
import type { App } from '../app';
import type { LogPosition, LogTailers } from '../logs/log-tailer';

/**
 * `ownerElsewhere(name)`: in cluster mode, the node supervising `name` when it is not this one (or a description
 * when unknown); undefined when the log file is here.
 */
export function registerInstanceLogsStream(app: App, tailers: LogTailers, ownerElsewhere: (name: string) => string | undefined = () => undefined): void {
  app.streams.add('/ws/instances/:name/logs', {
    idleRule: true,
    open(conn, { url, params }) {
      const name = params.name ?? '';
      if (!isInstanceName(name) || !Object.hasOwn(instancesOf(app.log.state), name)) throw notFound(name);
      const backlog = parseBacklog(url.searchParams.get('backlog'));
      const resume = parseResume(url.searchParams.get('file'), url.searchParams.get('offset'));
      // The output log is a file on the owning node: say where, rather than stream an empty log (close 4409).
      const owner = ownerElsewhere(name);
      if (owner !== undefined) {
        throw new SwitchboardError('invalid_state', `Instance '${name}' is supervised by ${owner}; open its log stream on that node`, {
          details: { owner },
        });
      }
      tailers.attach(name, conn, backlog, resume);
    },
  });

  app.log.onAppend((events) => {
    for (const e of events) {
      if (e.topic !== 'instance.deleted') continue;
      const name = (e.data as { name?: unknown }).name;
      if (typeof name === 'string') tailers.failAll(name, (conn) => conn.fail(notFound(name)));
    }
  });
}

function parseBacklog(value: string | null): number {
  if (value === null) return DEFAULT_LOG_BACKLOG;
  const n = Number(value);
  if (!/^\d{1,7}$/.test(value) || n > MAX_LOG_BACKLOG) {
    throw new SwitchboardError('invalid_backlog', `backlog must be an integer from 0 to ${MAX_LOG_BACKLOG}`, { details: { field: 'backlog' } });
  }
  return n;
}

/** `file` (an identity from a frame) and `offset` (bytes), both or neither. */
function parseResume(file: string | null, offset: string | null): LogPosition | undefined {
  if (file === null && offset === null) return undefined;
  if (file === null || !/^[A-Za-z0-9._-]{1,64}$/.test(file)) {
    throw new SwitchboardError('validation_failed', 'file must be the file of a lines frame, given with its offset', { details: { field: 'file' } });
  }
  if (offset === null || !/^\d{1,15}$/.test(offset)) {
    throw new SwitchboardError('validation_failed', 'offset must be the byte offset of a lines frame, given with its file', { details: { field: 'offset' } });
  }
  return { file, offset: Number(offset) };
}

function notFound(name: string): SwitchboardError {
  return new SwitchboardError('instance_not_found', `No instance named '${name.slice(0, 64)}'`);
}
