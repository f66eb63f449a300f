// The control plane of the control-plane contract (docs/control-plane.md) as one feature: the instance supervisor and its REST, inter-agent
// messages and their REST, and the three streams `/ws/instances`, `/ws/instances/:name/logs`, `/ws/messages`.

import { join } from 'node:path';
import type { App, Feature } from '../app';
import { LogTailers } from '../logs/log-tailer';
import { MessageService } from '../messages/message-service';
import { MessageStore } from '../messages/message-store';
import { watchOrphans } from '../cluster/orphan-watch';
import { registerInstancesApi } from '../routes/instances';
import { registerMessagesApi } from '../routes/messages';
import { registerInstanceLogsStream } from '../streams/instance-logs';
import { registerInstancesStream } from '../streams/instances';
import { registerMessagesStream } from '../streams/messages';
import { Supervisor } from '../supervisor/supervisor';

/** What the control plane exposes to other features (e.g. workspace sessions run as supervised instances). */
export interface ControlPlane {
  supervisor: Supervisor;
  messages: MessageService;
  tailers: LogTailers;
}

const planes = new WeakMap<App, ControlPlane>();

/** The control plane of `app`, once its feature ran. */
export function controlPlaneOf(app: App): ControlPlane | undefined {
  return planes.get(app);
}

export const controlPlane: Feature = async (app) => {
  const { config } = app;
  // In a cluster each node supervises the instances it created (docs/architecture.md#cluster-mode); nodeId stays unset on a single node.
  const supervisor = new Supervisor(app.log, {
    dataDir: config.dataDir,
    stopGraceMs: config.stopGraceMs,
    restartTiming: config.restartTiming,
    log: app.logLine,
    nodeId: app.cluster?.nodeId,
    logRotation: { maxBytes: config.logMaxBytes, maxFiles: config.logMaxFiles },
  });
  const tailers = new LogTailers((name) => {
    const p = supervisor.paths(name);
    return { dir: p.dir, file: p.log };
  }, { log: app.logLine });
  const store = new MessageStore(join(config.dataDir, 'messages'));
  const messages = new MessageService(app.log, store, app.cluster?.nodeId);

  registerInstancesApi(app, supervisor);
  registerMessagesApi(app, messages);
  registerInstancesStream(app);
  registerInstanceLogsStream(app, tailers, (name) => {
    if (!app.cluster || supervisor.isOwned(name)) return undefined;
    const owner = supervisor.ownerOf(name);
    return owner === undefined ? 'another node' : `node '${owner}'`;
  });
  registerMessagesStream(app, store);

  // Bounded disk (docs/control-plane.md "Bounds"): payloads beyond --message-retention are dropped, metadata stays.
  const prune = () => {
    try {
      const n = store.prunePayloads(config.messageRetention);
      if (n > 0) app.logLine(`pruned ${n} message payload${n === 1 ? '' : 's'} (--message-retention)`);
    } catch (err) {
      app.logLine(`message pruning failed: ${(err as Error).message}`);
    }
  };
  prune();
  const pruneTimer = setInterval(prune, config.messagePruneIntervalMs);
  pruneTimer.unref();

  const stopWatching = app.cluster
    ? watchOrphans(app.cluster, supervisor, { intervalMs: Math.max(50, Math.floor(config.nodeTimeoutMs / 5)), claimMs: config.nodeTimeoutMs, log: app.logLine })
    : undefined;
  app.onClose(async () => {
    clearInterval(pruneTimer);
    stopWatching?.();
    await supervisor.shutdown();
    await tailers.closeAll();
    store.close();
  });
  planes.set(app, { supervisor, messages, tailers });
  await supervisor.restoreOnBoot();
};
