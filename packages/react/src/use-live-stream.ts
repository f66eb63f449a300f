// `useLiveStream(key, options)`: the state of a LiveStream shared by every component using the same key.
// Streams are pooled like clients, so StrictMode and several views never open two sockets for one key.

import { useCallback, useEffect, useReducer, useSyncExternalStore } from 'react';
import { LiveStream, type LiveStreamOptions, type LiveStreamSnapshot } from './live-stream';
import { ResourcePool } from './resource-pool';
import type { StreamFrame } from './stream-socket';

const factories = new Map<string, () => LiveStreamOptions<unknown>>();

const pool = new ResourcePool<LiveStream<unknown>>({
  create: (key) => new LiveStream(factories.get(key)!()),
  open: (stream) => stream.start(),
  close: (stream) => {
    stream.close();
  },
});

/** What `useLiveStream` returns: the snapshot plus the stream's commands. */
export interface LiveStreamHandle<S> extends LiveStreamSnapshot<S> {
  /** Send a frame on the open socket; false when none is open. */
  send: (frame: StreamFrame) => boolean;
  /** Replace the state locally (e.g. with a REST answer). */
  mutate: (fn: (state: S) => S) => void;
  /** The shared stream, for advanced use (its `onOpen`, `onFrame`). */
  stream: LiveStream<S> | null;
}

const IDLE: LiveStreamSnapshot<never> = { status: 'idle', failures: 0, retryAt: null, error: null, data: undefined as never, polling: false, pollError: null };
const noopSubscribe = () => () => {};

/**
 * Subscribe to the stream identified by `key` (usually its URL), creating it with `options()` the first time.
 * `key: null` disables the hook (it then returns an idle snapshot with `data: initial`). The stream connects on
 * the first mount and closes shortly after the last unmount.
 *
 * @example
 * const { data, status, polling } = useLiveStream(url, () => ({ url, initial: [], reduce, poll }));
 */
export function useLiveStream<S>(key: string | null, options: () => LiveStreamOptions<S>, initial?: S): LiveStreamHandle<S> {
  if (key !== null && !factories.has(key)) factories.set(key, options as () => LiveStreamOptions<unknown>);
  const stream = key === null ? null : (pool.peek(key) as LiveStream<S>);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (key === null) return;
    const { value, release } = pool.acquire(key);
    // A render that committed after the pooled stream was dropped saw the closed one: render again.
    if (value !== stream) rerender();
    return release;
  }, [key, stream]);
  const subscribe = useCallback((fn: () => void) => (stream ? stream.subscribe(fn) : noopSubscribe()), [stream]);
  const snapshot = useSyncExternalStore(
    subscribe,
    () => (stream ? stream.snapshot : (IDLE as LiveStreamSnapshot<S>)),
    () => (stream ? stream.snapshot : (IDLE as LiveStreamSnapshot<S>)),
  );
  return {
    ...snapshot,
    data: stream ? snapshot.data : (initial as S),
    send: (frame) => stream?.send(frame) ?? false,
    mutate: (fn) => stream?.mutate(fn),
    stream,
  };
}
