// Forking the benchmark's TypeScript children (servers, generators) under tsx, and a request/reply channel over
// their IPC pipe. Children exit by themselves when the pipe closes, so a killed orchestrator leaves nothing behind.

import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** The orchestrator's handle on one child: `request` awaits its reply, `on` receives its unsolicited events. */
export class ChildHandle {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(m: ChildEvent) => void>>();
  private stderrTail = '';
  readonly exited: Promise<number | string>;

  constructor(readonly proc: ChildProcess, readonly name: string) {
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    proc.on('message', (m: Reply | ChildEvent) => {
      if ('event' in m) {
        for (const fn of this.listeners.get(m.event) ?? []) fn(m);
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${this.name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        const err = new Error(`${this.name} exited (${code ?? signal}) ${this.stderrTail.trim().slice(-1500)}`);
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
        resolve(code ?? signal ?? -1);
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      if (!this.proc.connected) return this.waiting.get(id)!.reject(new Error(`${this.name} is gone: ${this.stderrTail.slice(-1000)}`));
      this.proc.send({ id, cmd, ...args });
    });
  }

  /** Listen to an unsolicited event; returns the unsubscribe. */
  on(event: string, fn: (m: ChildEvent) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Resolve with the first `event` (rejects on exit or after `timeoutMs`). */
  once(event: string, timeoutMs: number): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${this.name}: no ${event} within ${timeoutMs} ms; stderr: ${this.stderrTail.slice(-1500)}`));
      }, timeoutMs);
      const off = this.on(event, (m) => {
        clearTimeout(timer);
        off();
        resolve(m);
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        off();
        reject(new Error(`${this.name} exited before ${event}: ${this.stderrTail.slice(-1500)}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Fork a TypeScript module under tsx with an IPC channel; `nodeArgs` go to node (e.g. --expose-gc, --cpu-prof). */
export function forkTs(file: string, args: string[], name: string, nodeArgs: string[] = []): ChildHandle {
  const proc = fork(file, args, {
    execArgv: ['--import', TSX_LOADER, ...nodeArgs],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  return new ChildHandle(proc, name);
}

type Handler = (msg: Record<string, unknown>) => unknown;

/**
 * Child side: answer the orchestrator's requests with `handlers[cmd]`, and exit when the IPC pipe closes (the
 * orchestrator is gone), so nothing outlives a run.
 */
export function serveRequests(handlers: Record<string, Handler>): void {
  process.on('message', (m: { id: number; cmd: string }) => {
    const h = handlers[m.cmd];
    if (!h) {
      process.send?.({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => h(m as unknown as Record<string, unknown>))
      .then(
        (result) => process.send?.({ id: m.id, ok: true, result }),
        (err: Error) => process.send?.({ id: m.id, ok: false, error: err?.stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Child side: send an unsolicited event to the orchestrator. */
export function emitEvent(event: string, data: Record<string, unknown> = {}): void {
  process.send?.({ event, ...data });
}
