// Validation of instance request bodies (docs/control-plane.md, docs/security.md): create, PATCH and clone. Pure: values in, a typed spec or a
// 400 naming the field out.

import {
  ENV_VALUE_MASK,
  INSTANCE_NAME_PATTERN,
  MAX_STOP_GRACE_MS,
  RESTART_POLICIES,
  SwitchboardError,
  getOwn,
  isInstanceName,
  setOwn,
  type RestartPolicy,
} from '@switchboard/protocol';

/** What an instance runs and with what; `env` holds values and so never leaves the supervisor. */
export interface InstanceSpec {
  name: string;
  nickname: string | null;
  command: string;
  args: string[] | null;
  cwd: string | null;
  env: Record<string, string>;
  port: number | null;
  /** @default 'no' */
  restart?: RestartPolicy;
  /** null or absent: the server's stop grace. */
  stop_grace_ms?: number | null;
}

/** PATCH: the fields present in the body; `env` replaces the whole environment. */
export type InstancePatch = Partial<Omit<InstanceSpec, 'name'>>;

export interface CloneSpec {
  name: string;
  nickname: string | null;
  port: number | null;
}

/** Longest nickname. @default 200 */
export const MAX_NICKNAME_LENGTH = 200;
/** Most arguments and most env keys one instance may have. */
export const MAX_ARGS = 1024;
export const MAX_ENV_KEYS = 1024;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseCreateBody(body: unknown): InstanceSpec {
  const b = asObject(body);
  return {
    name: parseName(b.name),
    command: parseCommand(b.command),
    nickname: parseNickname(b.nickname),
    args: parseArgs(b.args),
    cwd: parseCwd(b.cwd),
    env: parseEnv(b.env, {}),
    port: parsePort(b.port),
    restart: parseRestart(b.restart) ?? 'no',
    stop_grace_ms: parseGrace(b.stop_grace_ms),
  };
}

/**
 * Parse a PATCH body against the current env: an env value equal to the mask keeps the current value, so a form
 * that shows masked values can send them back unchanged.
 */
export function parsePatchBody(body: unknown, name: string, currentEnv: Record<string, string>): InstancePatch {
  const b = asObject(body);
  if (b.name !== undefined && b.name !== name) {
    throw invalid('name', 'name cannot be changed; clone the instance under the new name, then delete the old one');
  }
  const patch: InstancePatch = {};
  if (b.nickname !== undefined) patch.nickname = parseNickname(b.nickname);
  if (b.command !== undefined) patch.command = parseCommand(b.command);
  if (b.args !== undefined) patch.args = parseArgs(b.args);
  if (b.cwd !== undefined) patch.cwd = parseCwd(b.cwd);
  if (b.env !== undefined) patch.env = parseEnv(b.env, currentEnv);
  if (b.port !== undefined) patch.port = parsePort(b.port);
  if (b.restart !== undefined) patch.restart = parseRestart(b.restart);
  if (b.stop_grace_ms !== undefined) patch.stop_grace_ms = parseGrace(b.stop_grace_ms);
  return patch;
}

export function parseCloneBody(body: unknown): CloneSpec {
  const b = asObject(body);
  return { name: parseName(b.name), nickname: parseNickname(b.nickname), port: parsePort(b.port) };
}

/** `POST /api/instances/:name/adopt` (cluster mode): the env values the lost node held, and whether to start it. */
export interface AdoptSpec {
  env: Record<string, string>;
  start: boolean;
}

/** An adopt body; `undefined` (no body) adopts with no env values and starts. */
export function parseAdoptBody(body: unknown): AdoptSpec {
  if (body === undefined) return { env: {}, start: true };
  const b = asObject(body);
  if (b.start !== undefined && typeof b.start !== 'boolean') throw invalid('start', 'start must be true or false');
  // No current env to keep here: the mask is refused like any value naming nothing.
  return { env: parseEnv(b.env, {}), start: b.start !== false };
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function parseName(v: unknown): string {
  if (!isInstanceName(v)) throw invalid('name', `name must match ${INSTANCE_NAME_PATTERN.source}`);
  return v;
}

function parseCommand(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid('command', 'command must be a non-empty string');
  noNul(v, 'command');
  return v;
}

function parseNickname(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > MAX_NICKNAME_LENGTH) {
    throw invalid('nickname', `nickname must be a string of at most ${MAX_NICKNAME_LENGTH} characters`);
  }
  return v;
}

function parseArgs(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length > MAX_ARGS) throw invalid('args', `args must be an array of at most ${MAX_ARGS} strings`);
  v.forEach((a, i) => {
    if (typeof a !== 'string') throw invalid(`args[${i}]`, `args[${i}] must be a string`);
    noNul(a, `args[${i}]`);
  });
  return [...(v as string[])];
}

function parseCwd(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v.startsWith('/')) throw invalid('cwd', 'cwd must be an absolute path');
  noNul(v, 'cwd');
  return v;
}

function parseEnv(v: unknown, current: Record<string, string>): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('env', 'env must be an object of string values');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_ENV_KEYS) throw invalid('env', `env may hold at most ${MAX_ENV_KEYS} keys`);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const field = `env.${key.slice(0, 64)}`;
    if (!ENV_KEY.test(key)) throw invalid(field, `${field}: env keys are letters, digits and _, not starting with a digit`);
    if (typeof value !== 'string') throw invalid(field, `${field} must be a string`);
    noNul(value, field);
    // setOwn: `__proto__` is a legal variable name, and a plain assignment would drop it silently.
    if (value === ENV_VALUE_MASK) {
      const kept = getOwn(current, key);
      if (kept === undefined) throw invalid(field, `${field}: "${ENV_VALUE_MASK}" keeps a current value, but there is none`);
      setOwn(out, key, kept);
    } else {
      setOwn(out, key, value);
    }
  }
  return out;
}

function parsePort(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw invalid('port', 'port must be an integer from 1 to 65535');
  return v;
}

function parseRestart(v: unknown): RestartPolicy | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(RESTART_POLICIES as readonly string[]).includes(v)) {
    throw invalid('restart', `restart must be one of ${RESTART_POLICIES.map((p) => `"${p}"`).join(', ')}`);
  }
  return v as RestartPolicy;
}

function parseGrace(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_STOP_GRACE_MS) {
    throw invalid('stop_grace_ms', `stop_grace_ms must be an integer from 0 to ${MAX_STOP_GRACE_MS}, or null for the server's default`);
  }
  return v;
}

function noNul(v: string, field: string): void {
  if (v.includes('\0')) throw invalid(field, `${field} must not contain NUL characters`);
}

// The message names the field only: echoing a rejected env value would print a secret.
function invalid(field: string, message: string): SwitchboardError {
  return new SwitchboardError('validation_failed', message, { details: { field } });
}
