// One registry of error codes: HTTP status, whether the error ends a WebSocket, whether a retry can help.
// The REST body and the error frame carry the same code; docs/errors.md has a section per code.

import { closeCodeForStatus } from './close-codes';

export interface ErrorSpec {
  /** HTTP status of the REST answer; the close code is 4000 + status. */
  status: number;
  /** Whether a retry of the same request can succeed. */
  retryable: boolean;
  /**
   * Whether the error can end a WebSocket (sent as an error frame, then closed with 4000 + status). False means it
   * is only ever a REST answer, an upgrade refusal, or an error frame after which the connection stays open.
   */
  endsConnection: boolean;
}

export const ERRORS = {
  bad_request: { status: 400, retryable: false, endsConnection: true },
  invalid_json: { status: 400, retryable: false, endsConnection: false },
  validation_failed: { status: 400, retryable: false, endsConnection: true },
  invalid_topic: { status: 400, retryable: false, endsConnection: true },
  reserved_topic: { status: 400, retryable: false, endsConnection: false },
  invalid_cursor: { status: 400, retryable: false, endsConnection: true },
  invalid_backlog: { status: 400, retryable: false, endsConnection: true },
  unknown_type: { status: 400, retryable: false, endsConnection: false },
  unauthorized: { status: 401, retryable: false, endsConnection: true },
  token_expired: { status: 401, retryable: false, endsConnection: true },
  forbidden: { status: 403, retryable: false, endsConnection: true },
  origin_not_allowed: { status: 403, retryable: false, endsConnection: false },
  host_not_allowed: { status: 403, retryable: false, endsConnection: false },
  not_found: { status: 404, retryable: false, endsConnection: false },
  instance_not_found: { status: 404, retryable: false, endsConnection: true },
  message_not_found: { status: 404, retryable: false, endsConnection: false },
  workspace_not_found: { status: 404, retryable: false, endsConnection: false },
  session_not_found: { status: 404, retryable: false, endsConnection: false },
  plan_not_found: { status: 404, retryable: false, endsConnection: false },
  approval_not_found: { status: 404, retryable: false, endsConnection: false },
  method_not_allowed: { status: 405, retryable: false, endsConnection: false },
  conflict: { status: 409, retryable: false, endsConnection: false },
  instance_exists: { status: 409, retryable: false, endsConnection: false },
  invalid_state: { status: 409, retryable: false, endsConnection: false },
  gone: { status: 410, retryable: false, endsConnection: false },
  payload_too_large: { status: 413, retryable: false, endsConnection: false },
  unsupported_media_type: { status: 415, retryable: false, endsConnection: false },
  too_many_requests: { status: 429, retryable: true, endsConnection: false },
  internal: { status: 500, retryable: true, endsConnection: true },
  unavailable: { status: 503, retryable: true, endsConnection: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, code);
}

/** The one error class of Switchboard: thrown by handlers, sent as REST body or error frame, rejected by the SDK. */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable detail, e.g. `{ field: 'data.percent' }`. */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    // Untyped callers (plain JS) can pass any string: one outside the registry, `toString` included, is `internal`.
    this.code = isErrorCode(code) ? code : 'internal';
    this.status = ERRORS[this.code].status;
    this.details = options?.details;
  }

  get retryable(): boolean {
    return ERRORS[this.code].retryable;
  }

  /** Close code when this error ends a WebSocket (docs/protocol.md#shared-websocket-rules). */
  get closeCode(): number {
    return closeCodeForStatus(this.status);
  }

  /** REST body: `{ error: { code, message, ...details } }`; details never replace `code` or `message`. */
  toJSON(): { error: { code: ErrorCode; message: string } & Record<string, unknown> } {
    const { code: _code, message: _message, ...details } = this.details ?? {};
    return { error: { code: this.code, message: this.message, ...details } };
  }

  /** WebSocket error frame (docs/protocol.md#shared-websocket-rules). */
  toFrame(): { type: 'error'; code: ErrorCode; message: string } {
    return { type: 'error', code: this.code, message: this.message };
  }
}
