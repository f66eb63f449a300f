// Sends simulator batches to a running server as `POST /api/events` arrays, one request at a time so the log
// keeps the simulator's order; batches that arrive while a request is in flight are merged into the next one.

import type { EventInput } from '@switchboard/protocol';
import type { ServerTarget } from '../client-options';
import { DEFAULT_DEMO_MAX_BATCH } from '../constants';
import { ApiError, postEvents } from '../http/api';

export interface RestPublisher {
  /** Queue a batch; never throws (failures go to `onError`). */
  publish(batch: EventInput[]): void;
  /** Resolves once everything queued so far has been sent (or has failed). */
  flush(): Promise<void>;
  /** Events the server acknowledged. */
  readonly acknowledged: number;
}

export interface RestPublisherOptions {
  target: ServerTarget;
  /** Called for each failed request; `fatal` when retrying cannot help (4xx: bad token, invalid events). */
  onError: (err: Error, info: { fatal: boolean; lost: number }) => void;
  /** Largest array per request; the server caps bodies at 1 MiB. @default 500 */
  maxBatch?: number;
}

export function createRestPublisher(options: RestPublisherOptions): RestPublisher {
  const maxBatch = options.maxBatch ?? DEFAULT_DEMO_MAX_BATCH;
  let queue: EventInput[] = [];
  let inFlight: Promise<void> | undefined;
  let acknowledged = 0;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const answer = await postEvents(options.target, batch);
        acknowledged += answer.seqs.length;
      } catch (err) {
        const fatal = err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429;
        options.onError(err as Error, { fatal, lost: batch.length });
      }
    }
  }

  function kick(): Promise<void> {
    inFlight ??= drain().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    publish(batch) {
      queue.push(...batch);
      void kick();
    },
    async flush() {
      while (inFlight || queue.length > 0) await kick();
    },
    get acknowledged() {
      return acknowledged;
    },
  };
}
