// Wire values and defaults of the benchmark, named once.

/** Topic of every benchmark event; subscribers subscribe to `bench.*`. */
export const BENCH_TOPIC = 'bench.tick';
/** Pattern the Switchboard subscribers use (query-string subscription, docs/protocol.md#wsevents-and-wsagents). */
export const BENCH_PATTERN = 'bench.*';

/**
 * Fixed payload fields next to the stamp, so a frame is ~170 bytes like a real `agent.action` event.
 * The stamp `i` (publisher sequence) and `t` (publish time, monotonic ms) come last, so the generator reads them from
 * the end of the frame.
 */
export const BENCH_PAYLOAD = { agent: 'bench-agent-07', session_id: 'bench-session-1', detail: 'tool_call read_file src/index.ts (312 lines)' };

/** HTTP path the peer servers (ws, corked ws, Socket.IO) accept publishes on; Switchboard uses POST /api/events. */
export const PEER_PUBLISH_PATH = '/publish';

/** Source addresses the generator spreads connections over, so no single (src, dst) pair runs out of ephemeral ports. */
export const SOURCE_ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8'];

/** File descriptors kept free in the server process beside its connections (store, pipes, listeners). */
export const FD_HEADROOM = 400;

/** Connection attempts in flight per generator process. @default 100 */
export const CONNECT_CONCURRENCY = 100;

/** Flow-control window of the saturation publisher: events published but not yet seen by the slowest subscriber. */
export const SATURATION_WINDOW_EVENTS = 400;
/** Events per POST in saturation mode. */
export const SATURATION_BATCH_EVENTS = 50;
/** Publisher timer period in rate mode. */
export const RATE_TICK_MS = 10;

/** Generators report their slowest subscriber this often (saturation flow control and drain). */
export const PROGRESS_INTERVAL_MS = 20;

/** CPU share of one core above which a process counts as the bottleneck. */
export const BUSY_CPU_PERCENT = 85;
