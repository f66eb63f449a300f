// Every metric the server exports, with its HELP text, in one place (the list in docs/operations.md follows this
// file). Hot paths only bump plain integers (counters.ts); the collect callbacks below turn them into Prometheus
// series when scraped. Labels come from labels.ts, which bounds every value a peer could influence.

import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InstanceStatus } from '@switchboard/protocol';
import { ServerCounters, bump } from './counters';
import { PLAN_RUN_STATUSES, STREAM_LABELS, familyLabel } from './labels';
import { processMetrics } from './process-metrics';

/** What the metrics read from the rest of the server when scraped. */
export interface MetricSources {
  /** The newest seq of the event log. */
  logSeq(): number;
  /** Instances per status, from the fleet projection. */
  instancesByStatus(): Record<string, number>;
}

/** Cluster figures (docs/architecture.md#cluster-mode), read when scraped in cluster mode. */
export interface ClusterSources {
  /** Seconds between an event's append (on any node) and its application here, for the newest applied batch. */
  lagSeconds(): number;
  /** Nodes currently connected to the cluster's node bus. */
  nodes(): Promise<number>;
}

const INSTANCE_STATUSES: readonly InstanceStatus[] = ['stopped', 'starting', 'running', 'crashed'];
/** At most one publish→send sample per this many milliseconds: the histogram is a sample, not a census. */
const PUBLISH_SAMPLE_EVERY_MS = 10;

export class ServerMetrics {
  readonly counters = new ServerCounters();
  readonly registry = new Registry();
  private readonly publishToSend: Histogram;
  private readonly clientFreshness: Histogram;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private lastPublishSample = 0;

  constructor(sources: MetricSources) {
    const c = this.counters;
    const register = [this.registry];
    for (const s of STREAM_LABELS) c.connections.set(s, 0);
    for (const s of PLAN_RUN_STATUSES) c.planRuns.set(s, 0);

    new Gauge({
      name: 'switchboard_connections',
      help: 'Open WebSocket connections, by stream.',
      labelNames: ['stream'],
      registers: register,
      collect() {
        for (const [stream, n] of c.connections) this.set({ stream }, n);
      },
    });
    new Counter({
      name: 'switchboard_events_appended_total',
      help: 'Events applied to the event log on this node, by topic family (families outside the catalogue count as "custom").',
      labelNames: ['family'],
      registers: register,
      collect() {
        setCounter(this, 'family', c.eventsAppended);
      },
    });
    new Gauge({
      name: 'switchboard_log_seq',
      help: 'Seq of the newest event in the log.',
      registers: register,
      collect() {
        this.set(sources.logSeq());
      },
    });
    new Counter({
      name: 'switchboard_frames_sent_total',
      help: 'WebSocket frames handed to a socket, all streams (a batch of N events counts N).',
      registers: register,
      collect() {
        this.reset();
        this.inc(c.frames.sent);
      },
    });
    new Counter({
      name: 'switchboard_frames_dropped_total',
      help: 'WebSocket frames not sent because the connection lagged behind its queue bound.',
      registers: register,
      collect() {
        this.reset();
        this.inc(c.frames.dropped);
      },
    });
    new Counter({
      name: 'switchboard_lagged_snapshots_total',
      help: 'Fresh snapshots sent to connections that lagged and drained again.',
      registers: register,
      collect() {
        this.reset();
        this.inc(c.frames.laggedSnapshots);
      },
    });
    new Counter({
      name: 'switchboard_resumes_total',
      help: 'Subscriptions that presented a cursor, by whether the gap was replayed (recovered="true") or answered with a snapshot.',
      labelNames: ['recovered'],
      registers: register,
      collect() {
        this.reset();
        this.inc({ recovered: 'true' }, c.resumesRecovered);
        this.inc({ recovered: 'false' }, c.resumesNotRecovered);
      },
    });
    this.publishToSend = new Histogram({
      name: 'switchboard_publish_to_send_seconds',
      help: 'Time from an event\'s append to its frames being written to the subscribers\' sockets (sampled).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: register,
    });
    this.clientFreshness = new Histogram({
      name: 'switchboard_client_freshness_seconds',
      help: 'Time from an event\'s append on the server to its arrival at an SDK client, as reported by the clients.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: register,
    });
    this.httpRequests = new Counter({
      name: 'switchboard_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: register,
    });
    this.httpDuration = new Histogram({
      name: 'switchboard_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: register,
    });
    new Counter({
      name: 'switchboard_ws_closes_total',
      help: 'WebSocket connections closed, by close code (codes without a protocol meaning count as "other").',
      labelNames: ['code'],
      registers: register,
      collect() {
        setCounter(this, 'code', c.wsCloses);
      },
    });
    new Gauge({
      name: 'switchboard_instances',
      help: 'Supervised instances, by status.',
      labelNames: ['status'],
      registers: register,
      collect() {
        const counts = sources.instancesByStatus();
        for (const status of INSTANCE_STATUSES) this.set({ status }, Object.hasOwn(counts, status) ? counts[status]! : 0);
      },
    });
    new Counter({
      name: 'switchboard_plan_runs_total',
      help: 'Plan runs that ended, by status (completed, failed, cancelled).',
      labelNames: ['status'],
      registers: register,
      collect() {
        setCounter(this, 'status', c.planRuns);
      },
    });
  }

  /** Add the cluster metrics (cluster mode only). */
  addCluster(cluster: ClusterSources): void {
    new Gauge({
      name: 'switchboard_cluster_lag_seconds',
      help: 'Seconds between the append of the newest event this node applied and its application here (includes clock skew between nodes).',
      registers: [this.registry],
      collect() {
        this.set(cluster.lagSeconds());
      },
    });
    new Gauge({
      name: 'switchboard_cluster_nodes',
      help: 'Nodes connected to the cluster, as this node sees them in Redis.',
      registers: [this.registry],
      async collect() {
        this.set(await cluster.nodes());
      },
    });
  }

  /** Count appended events (a log listener; one map update per event). */
  countAppended(events: readonly { topic: string; data: unknown }[]): void {
    const c = this.counters;
    for (const e of events) {
      bump(c.eventsAppended, familyLabel(e.topic));
      if (e.topic === 'plan.completed') bump(c.planRuns, 'completed');
      else if (e.topic === 'plan.failed') bump(c.planRuns, (e.data as { status?: unknown } | null)?.status === 'cancelled' ? 'cancelled' : 'failed');
    }
  }

  /**
   * Call as an append is fanned out: every few milliseconds, time until the flusher (scheduled earlier in this
   * turn, so it runs first) has written the frames to the sockets.
   */
  samplePublish(): void {
    const t0 = performance.now();
    if (t0 - this.lastPublishSample < PUBLISH_SAMPLE_EVERY_MS) return;
    this.lastPublishSample = t0;
    setImmediate(() => this.publishToSend.observe((performance.now() - t0) / 1000));
  }

  observeClientFreshness(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.clientFreshness.observe(seconds);
  }

  recordHttp(method: string, route: string, status: string, seconds: number): void {
    this.httpRequests.inc({ method, route, status });
    this.httpDuration.observe({ method, route }, seconds);
  }

  /** The Prometheus text exposition: this server's metrics, then the process's. */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const proc = await processMetrics().metrics();
    return `${own}\n${proc}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Make a labelled counter equal to the plain tallies (the tallies are the source of truth). */
function setCounter(counter: Counter<string>, label: string, tallies: Map<string, number>): void {
  counter.reset();
  for (const [value, n] of tallies) counter.inc({ [label]: value }, n);
}
