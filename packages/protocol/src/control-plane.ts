// Wire contract of the control plane (docs/control-plane.md): instance names, the frames of `/ws/instances`,
// `/ws/instances/:name/logs` and `/ws/messages`, and their limits. Field names are the seed's, kept exactly.

/** Instance names: lowercase, digits and dashes, 1–63 characters, so a name is always a safe directory name. */
export const INSTANCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isInstanceName(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_NAME_PATTERN.test(value);
}

/** What every API answer shows instead of an env value. */
export const ENV_VALUE_MASK = '****';
/** Lines a log stream sends first when `backlog` is not given. @default 100 */
export const DEFAULT_LOG_BACKLOG = 100;
/** Largest accepted `backlog`. @default 1000 */
export const MAX_LOG_BACKLOG = 1000;
/** New log lines are gathered this long before one `lines` frame goes out. @default 100 */
export const LOG_BATCH_WINDOW_MS = 100;
/** Default and largest `tail` of `GET /api/instances/:name/logs`. */
export const DEFAULT_LOG_TAIL = 100;
export const MAX_LOG_TAIL = 10_000;
/** Wait between SIGTERM and SIGKILL when an instance is stopped. @default 5000 */
export const DEFAULT_STOP_GRACE_MS = 5000;
/** Message events a `/ws/messages` snapshot carries. @default 100 */
export const RECENT_MESSAGE_EVENTS = 100;

export type InstanceStatus = 'stopped' | 'starting' | 'running' | 'crashed';

/** When the supervisor starts an instance again by itself: never, after a failure (exit ≠ 0, signal), or after any end. */
export type RestartPolicy = 'no' | 'on-failure' | 'always';
export const RESTART_POLICIES: readonly RestartPolicy[] = ['no', 'on-failure', 'always'];
/** Largest per-instance `stop_grace_ms`. @default 600000 */
export const MAX_STOP_GRACE_MS = 600_000;

/**
 * What supervision adds to an instance (docs/control-plane.md "Restart policies"), the same in the API, the
 * `/ws/instances` frames and the projection. A type alias, so the projection's view stays an opaque-slice record.
 */
export type InstanceSupervision = {
  /** Restart policy; `no` unless set on create or PATCH. */
  restart: RestartPolicy;
  /** Wait between SIGTERM and SIGKILL on stop; null: the server's default. */
  stop_grace_ms: number | null;
  /** Automatic restarts since a person last started the instance. */
  restart_count: number;
  /** When the pending automatic restart runs; null when none is pending. */
  next_restart_at: string | null;
  /**
   * Why the status last changed: `user`, `restart`, `exit`, `boot`, `health`, `spawn_failed`, `auto_restart`,
   * `crash_loop`; in a cluster also `owner_lost` (its node died), `owner_back` (that node came back) and `adopted`.
   */
  status_reason: string | null;
  /** Cluster mode only: the node supervising the instance. */
  node_id?: string;
  /**
   * Cluster mode only: when the cluster saw `node_id` die, null otherwise. An orphaned instance is `crashed` (or kept
   * `stopped`) with `status_reason: "owner_lost"` until its node comes back or another node adopts it.
   */
  orphaned_at?: string | null;
};

/** An instance as the API and the `/ws/instances` snapshot show it: env values are masked. */
export interface InstanceInfo extends InstanceSupervision {
  name: string;
  nickname: string | null;
  status: InstanceStatus;
  /** null unless running. */
  pid: number | null;
  port: number | null;
  archived_at: string | null;
  command: string;
  /** null: `command` runs through `/bin/sh -c`; an array: `command` is the executable, no shell. */
  args: string[] | null;
  cwd: string | null;
  /** Every key of the environment, each value shown as ENV_VALUE_MASK. */
  env: Record<string, string>;
  /** Exit code of the last run, null while running or when it ended by a signal. */
  exit_code: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
}

// ---- /ws/instances ----

export interface InstancesSnapshotFrame {
  type: 'snapshot';
  instances: InstanceInfo[];
  include_archived: boolean;
  /** Present when the snapshot replaces deltas a slow connection could not take. */
  reason?: 'lagged';
}
export interface StatusChangedFrame {
  type: 'status_changed';
  name: string;
  status: InstanceStatus;
  pid: number | null;
  timestamp: string;
}
export interface InstanceCreatedFrame {
  type: 'instance_created';
  name: string;
  port: number | null;
  status: InstanceStatus;
  timestamp: string;
}
export interface InstanceArchivedFrame {
  type: 'instance_archived';
  name: string;
  timestamp: string;
}
/** Carries the instance's status, port and pid too, so a view that hid it while archived can show it again. */
export interface InstanceUnarchivedFrame {
  type: 'instance_unarchived';
  name: string;
  status: InstanceStatus;
  port: number | null;
  pid: number | null;
  timestamp: string;
}
export interface InstanceDeletedFrame {
  type: 'instance_deleted';
  name: string;
  timestamp: string;
}
/** A PATCH changed nickname, command, args, cwd, env keys or port; carries the whole (masked) instance. */
export interface InstanceUpdatedFrame {
  type: 'instance_updated';
  name: string;
  instance: InstanceInfo;
  timestamp: string;
}
export type InstancesServerFrame =
  | InstancesSnapshotFrame
  | StatusChangedFrame
  | InstanceCreatedFrame
  | InstanceArchivedFrame
  | InstanceUnarchivedFrame
  | InstanceDeletedFrame
  | InstanceUpdatedFrame;
export interface SetIncludeArchivedFrame {
  type: 'set_include_archived';
  value: boolean;
}

// ---- /ws/instances/:name/logs ----

/**
 * Where a log viewer stopped (docs/control-plane.md "Exact log resume"): a file identity and the byte offset after
 * the last line sent. Added to the control-plane contract's frames; reconnect with `?file=&offset=` to continue exactly there.
 */
export interface LogPosition {
  file: string;
  offset: number;
}

export interface LogBacklogFrame extends Partial<LogPosition> {
  type: 'backlog';
  lines: string[];
  count: number;
  /** Present when this backlog replaces `lines` frames a slow connection could not take. */
  reason?: 'lagged';
}
export interface LogLinesFrame extends Partial<LogPosition> {
  type: 'lines';
  lines: string[];
  count: number;
}
/** The log file was replaced (rename) or shrank (truncation); the lines that follow are the new file's. */
export interface LogRotatedFrame extends Partial<LogPosition> {
  type: 'rotated';
}
/** The answer to a resume position that exists: the lines after it follow, no backlog. */
export interface LogResumedFrame extends LogPosition {
  type: 'resumed';
}
/** Lines were (or may have been) lost: a resume position that no longer exists, or files rotated away unread. */
export interface LogMissedFrame {
  type: 'missed';
  reason: 'rotated_away' | 'unknown_position';
  message: string;
}
export type LogServerFrame = LogBacklogFrame | LogLinesFrame | LogRotatedFrame | LogResumedFrame | LogMissedFrame;

/** The position a log frame carries, if any. */
export function logPositionOf(frame: object): LogPosition | undefined {
  const { file, offset } = frame as { file?: unknown; offset?: unknown };
  return typeof file === 'string' && typeof offset === 'number' ? { file, offset } : undefined;
}

// ---- /ws/messages ----

export type MessageEventName = 'sent' | 'delivered' | 'acknowledged' | 'failed';

/** A message state transition: metadata only, never the payload (docs/control-plane.md). Also the data of `message.*` events. */
export interface MessageEventInfo {
  message_id: string;
  event: MessageEventName;
  from: string;
  to: string;
  message_type: string;
  correlation_id: string | null;
  detail: string | null;
  timestamp: string;
}
export interface MessagesSnapshotFrame {
  type: 'snapshot';
  /** Oldest first. */
  recent_events: MessageEventInfo[];
  reason?: 'lagged';
}
export interface MessageEventFrame extends MessageEventInfo {
  type: 'message_event';
}
export type MessagesServerFrame = MessagesSnapshotFrame | MessageEventFrame;
