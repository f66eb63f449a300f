// Plain-integer tallies kept on the hot paths (fan-out, flush, close) and read only when Prometheus scrapes:
// an integer increment costs nothing next to a prom-client label lookup per frame. One object per server, so
// several servers in one process (tests, a cluster on one machine) keep their figures apart.

/** Frame tallies shared by every WebSocket connection of one server (ws/connection.ts writes them). */
export interface FrameCounters {
  /** Frames handed to a socket (a batch of N events counts N). */
  sent: number;
  /** Frames not sent because the connection lagged: refused offers and the deltas discarded at the lag. */
  dropped: number;
  /** Fresh snapshots sent after a lag (every stream's resync). */
  laggedSnapshots: number;
}

export class ServerCounters {
  readonly frames: FrameCounters = { sent: 0, dropped: 0, laggedSnapshots: 0 };
  /** Open WebSockets per `stream` label. */
  readonly connections = new Map<string, number>();
  /** WebSocket closes per `code` label. */
  readonly wsCloses = new Map<string, number>();
  /** Events applied to this node's log per `family` label. */
  readonly eventsAppended = new Map<string, number>();
  /** Finished plan runs per terminal status. */
  readonly planRuns = new Map<string, number>();
  /** Subscriptions with a cursor, by whether the gap was replayed (`true`) or answered with a snapshot. */
  resumesRecovered = 0;
  resumesNotRecovered = 0;
}

export function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}
