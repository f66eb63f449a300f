// Fuzzing every REST write endpoint of one real server (control plane, workspaces and plans, as a default server
// runs) with generated INVALID requests: JSON of the wrong type, objects missing required fields, fields of the
// wrong type, prototype keys (`__proto__`, `constructor`, `prototype`) holding a valid body, deep nesting, huge
// numbers, strings over their limit (within the 1 MiB body limit), invalid UTF-8, truncated JSON and garbage; and
// path parameters that exist, do not, or name Object.prototype members. Every answer must be a 4xx with a registry
// error body, within a time bound, and afterwards nothing may have changed: no event, no instance, workspace, plan
// or message, and no marker file written by a command that should never have run.
//
// Reproduce a failure with the seed it logs: SWITCHBOARD_FUZZ_SEED=<seed> npx vitest run packages/server/test/rest-fuzz.test.ts
// (SWITCHBOARD_FUZZ_RUNS=<n> runs more cases per endpoint).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_VALUE_MASK, isErrorCode } from '@switchboard/protocol';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { makeRepo, removeRepos } from './support/git-repos';

const SEED = Number(process.env.SWITCHBOARD_FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.SWITCHBOARD_FUZZ_RUNS ?? 80);
/** Longest any one refused request may take, a huge body on a loaded machine included. */
const REQUEST_BOUND_MS = 5000;
const LIMIT = 1024 * 1024;

let srv: TestServer;
/** A command that should never run would create this file. */
const markerDir = mkdtempSync(join(tmpdir(), 'sb-fuzz-marker-'));
const marker = join(markerDir, 'ran');
/** Existing things the path parameters point at, filled in by the setup. */
const existing = { instance: 'fuzz-target', message: '', ackedMessage: '', workspace: '', session: '', finishedPlan: '', repo: '', approval: '', decidedApproval: '' };
let baseline: unknown;

// ---------------------------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  status: number;
  contentType: string;
  text: string;
  ms: number;
}

async function send(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(srv.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, ms: performance.now() - started };
}

async function getJson(path: string): Promise<any> {
  const a = await send('GET', path);
  expect(a.status, `${path}: ${a.text.slice(0, 300)}`).toBe(200);
  return JSON.parse(a.text);
}

async function postJson(path: string, body: unknown, expected = [200, 201]): Promise<any> {
  const a = await send('POST', path, JSON.stringify(body));
  expect(expected, `${path}: ${a.status} ${a.text.slice(0, 300)}`).toContain(a.status);
  return JSON.parse(a.text);
}

/** Everything a refused request must leave alone. */
async function storeState(): Promise<unknown> {
  const [events, instances, workspaces, plans, messages, approvals] = await Promise.all([
    getJson('/api/events?limit=1'),
    getJson('/api/instances?include_archived=true'),
    getJson('/api/workspaces'),
    getJson('/api/plans'),
    getJson('/api/messages?limit=1000'),
    getJson('/api/approvals'),
  ]);
  return { seq: events.seq, epoch: events.epoch, instances, workspaces, plans, messages, approvals };
}

// ---------------------------------------------------------------------------------------------------------------
// Generated invalid bodies

/** What a generated body is, for the expectations and the failure report. */
type Kind = 'wrong_top' | 'missing' | 'wrong_field' | 'prototype_keys' | 'deep' | 'huge_number' | 'bad_utf8' | 'truncated' | 'garbage';

interface Body {
  kind: Kind;
  bytes: string | Uint8Array<ArrayBuffer>;
}

interface Field {
  /** Values this field must be refused with; absent: only leaving the field out is wrong. */
  wrong?: fc.Arbitrary<unknown>;
  required?: boolean;
}

interface BodyEndpoint {
  method: 'POST' | 'PATCH';
  pattern: string;
  /** Values for the path parameter (existing things and names that must be refused). */
  params?: () => string[];
  /** A valid body: every generated one is a broken version of it. */
  template: () => Record<string, unknown>;
  fields: Record<string, Field>;
  /** Whether `{}` is refused (a PATCH of nothing is a valid no-op). @default true */
  emptyIsInvalid?: boolean;
  /** Top-level values of the wrong type. @default wrongTop */
  wrongTop?: fc.Arbitrary<unknown>;
}

const primitive = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 }));
const wrongTop = fc.oneof(primitive, fc.array(primitive, { maxLength: 4 }));
const nonString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(2 ** 64),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
const nonStringOrNull = fc.oneof(nonString, fc.constant(null));
/** Strings of more than `max` characters; the body stays within the 1 MiB limit. */
const longer = (max: number) => fc.integer({ min: max + 1, max: Math.min(max + 1 + 900_000, LIMIT - 4096) }).map((n) => 'x'.repeat(n));
/** A required string of at most `max` characters (`max` undefined: no limit). */
const requiredText = (max?: number): Field => ({
  required: true,
  wrong: max === undefined ? fc.oneof(nonStringOrNull, fc.constantFrom('', '   ')) : fc.oneof(nonStringOrNull, fc.constantFrom('', '   '), longer(max)),
});
const optionalText = (max: number): Field => ({ wrong: fc.oneof(nonStringOrNull, longer(max)) });
const instanceName = fc.oneof(nonStringOrNull, fc.constantFrom('', 'Bad', '-x', '__proto__', 'constructor.x', '../x', 'a b', 'toString'), longer(63));
const instanceFields = (): Record<string, Field> => ({
  nickname: { wrong: fc.oneof(nonString, longer(200)) },
  args: { wrong: fc.oneof(fc.integer(), fc.string(), fc.constant({ a: 'b' }), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.constant(['a\u0000b'])) },
  cwd: { wrong: fc.oneof(fc.integer(), fc.boolean(), fc.constantFrom('', 'relative/dir', '/tmp/a\u0000b'), fc.array(fc.string(), { maxLength: 2 })) },
  env: {
    wrong: fc.oneof(
      fc.string(),
      fc.integer(),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.constant({ '1BAD': 'x' }),
      fc.constant({ 'A-B': 'x' }),
      fc.constant({ A: 5 }),
      fc.constant({ A: 'x\u0000' }),
      fc.constant(JSON.parse('{"__proto__":5}')),
      fc.constant(JSON.parse('{"constructor":{"x":1}}')),
      // The mask keeps a current value; there is none.
      fc.constant({ NEW_KEY: ENV_VALUE_MASK }),
    ),
  },
  port: { wrong: fc.oneof(fc.string(), fc.boolean(), fc.constantFrom(0, -1, 65536, 1.5, 2 ** 64, -(2 ** 64))) },
});
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];

const BODY_ENDPOINTS: BodyEndpoint[] = [
  {
    method: 'POST',
    pattern: '/api/events',
    template: () => ({ topic: 'custom.fuzz', data: { n: 1 } }),
    fields: {
      topic: {
        required: true,
        wrong: fc.oneof(nonStringOrNull, fc.constantFrom('', 'bad topic!', '.x', 'x.', 'a..b', 'x.*', '*', 'instance.created', 'plan.x', 'message.sent'), longer(200)),
      },
    },
    // An array of events is a valid body: only arrays whose events are broken may be generated.
    wrongTop: fc.oneof(
      primitive,
      fc.constant([]),
      fc.array(primitive, { minLength: 1, maxLength: 4 }),
      fc.array(fc.constant(JSON.parse('{"__proto__":{"topic":"custom.fuzz"}}')), { minLength: 1, maxLength: 3 }),
      fc.constant([{ topic: 'custom.ok', data: {} }, { topic: 'task.progress', data: { id: 't', kind: 'k', percent: 150 } }]),
    ),
  },
  {
    method: 'POST',
    pattern: '/api/instances',
    template: () => ({ name: 'fuzz-new', command: `touch ${marker}` }),
    fields: {
      name: { required: true, wrong: fc.oneof(instanceName, fc.constant(existing.instance)) },
      command: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constantFrom('', '   ', 'a\u0000b')) },
      ...instanceFields(),
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/instances/:name',
    params: () => [existing.instance, ...PROTOTYPE_NAMES, 'no-such-instance'],
    template: () => ({ command: `touch ${marker}` }),
    fields: {
      name: { wrong: fc.oneof(nonStringOrNull, fc.constant('other-name')) },
      command: { wrong: fc.oneof(nonStringOrNull, fc.constantFrom('', '   ', 'a\u0000b')) },
      ...instanceFields(),
    },
    emptyIsInvalid: false,
  },
  {
    method: 'POST',
    pattern: '/api/instances/:name/clone',
    params: () => [existing.instance, ...PROTOTYPE_NAMES, 'no-such-instance'],
    template: () => ({ name: 'fuzz-clone' }),
    fields: {
      name: { required: true, wrong: fc.oneof(instanceName, fc.constant(existing.instance)) },
      nickname: { wrong: fc.oneof(nonString, longer(200)) },
      port: instanceFields().port!,
    },
  },
  {
    // Cluster mode only: on this single node every adopt is refused, a valid body included.
    method: 'POST',
    pattern: '/api/instances/:name/adopt',
    params: () => [existing.instance, ...PROTOTYPE_NAMES, 'no-such-instance'],
    template: () => ({ env: { KEY: 'value' }, start: true }),
    fields: {
      env: { wrong: fc.oneof(nonString.filter((v) => v !== null), fc.constant({ KEY: 5 }), fc.constant({ '1bad': 'x' }), fc.constant({ KEY: ENV_VALUE_MASK })) },
      start: { wrong: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) },
    },
  },
  {
    method: 'POST',
    pattern: '/api/messages',
    template: () => ({ from: 'fuzz-a', to: 'fuzz-b', message_type: 'fuzz', payload: { x: 1 } }),
    fields: {
      from: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constant(''), longer(256)) },
      to: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constant(''), longer(256)) },
      message_type: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constant(''), longer(256)) },
      correlation_id: { wrong: fc.oneof(nonString, fc.constant(''), longer(256)) },
      payload: { required: true },
    },
  },
  {
    // On this server (no --token) a valid body is 409: nothing to sign with. Invalid ones are refused first.
    method: 'POST',
    pattern: '/api/tokens',
    template: () => ({ role: 'read' }),
    fields: {
      role: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constantFrom('', 'write', 'root', '__proto__', 'constructor')) },
      ttl: { wrong: fc.oneof(nonString, fc.constantFrom('', '0', '-1h', '31d', '1y', 'toString'), longer(20)) },
      sub: optionalText(200),
      topics: { wrong: fc.oneof(fc.string(), fc.integer(), fc.constant([5]), fc.constant(['a b']), fc.constant(['a.*.b'])) },
      instances: { wrong: fc.oneof(fc.string(), fc.integer(), fc.constant([null]), fc.constant(['Bad Name'])) },
    },
  },
  {
    method: 'POST',
    pattern: '/api/messages/:id/fail',
    params: () => [existing.message, existing.ackedMessage, ...PROTOTYPE_NAMES, 'no-such-message'],
    template: () => ({ error: 'boom' }),
    fields: { error: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constant(''), longer(4096)) } },
  },
  {
    method: 'POST',
    pattern: '/api/workspaces',
    template: () => ({ path: existing.repo }),
    fields: { path: { required: true, wrong: fc.oneof(requiredText(4096).wrong!, fc.constantFrom('/nonexistent/fuzz/dir', markerDir)) } },
  },
  {
    method: 'POST',
    pattern: '/api/spawn',
    template: () => ({ workspace_id: existing.workspace, target: 'fuzz', command: `touch ${marker}` }),
    fields: {
      workspace_id: { required: true, wrong: fc.oneof(requiredText(200).wrong!, fc.constantFrom(...PROTOTYPE_NAMES, 'no-such-workspace')) },
      target: requiredText(200),
      command: requiredText(64 * 1024),
      nickname: optionalText(200),
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/sessions/:id',
    params: () => [existing.session, ...PROTOTYPE_NAMES, 'no-such-session'],
    template: () => ({ nickname: 'fuzz' }),
    fields: { nickname: optionalText(200), nudge_state: optionalText(200), nudge_summary: optionalText(4096) },
  },
  {
    method: 'POST',
    pattern: '/api/plans',
    template: () => ({ name: 'fuzz-plan', steps: [{ name: 'step', command: `touch ${marker}` }] }),
    fields: {
      name: requiredText(200),
      steps: {
        required: true,
        wrong: fc.oneof(
          nonStringOrNull.filter((v) => !Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'object')),
          fc.constant([]),
          fc.constant([5]),
          fc.constant([{ name: 'step' }]),
          fc.constant([{ command: 'true' }]),
          fc.constant([{ name: 'step', command: '' }]),
          fc.constant(JSON.parse('[{"__proto__":{"name":"step","command":"true"}}]')),
          fc.constant(Array.from({ length: 101 }, () => ({ name: 'step', command: 'true' }))),
        ),
      },
      cwd: { wrong: fc.oneof(nonString, fc.constantFrom('', '/nonexistent/fuzz/dir')) },
    },
  },
  {
    method: 'POST',
    pattern: '/api/approvals',
    template: () => ({ tool: 'fuzz', summary: 'fuzz input', timeout_s: 60 }),
    fields: {
      tool: requiredText(256),
      summary: { wrong: fc.oneof(nonStringOrNull, longer(64 * 1024)) },
      agent_id: optionalText(256),
      session_id: optionalText(256),
      timeout_s: { wrong: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constantFrom(0, -1, 1.5, 86_401, 2 ** 64)) },
    },
  },
  {
    method: 'POST',
    pattern: '/api/approvals/:id/decision',
    params: () => [existing.approval, existing.decidedApproval, ...PROTOTYPE_NAMES, 'no-such-approval'],
    template: () => ({ decision: 'allow', reason: 'fuzz' }),
    fields: {
      decision: { required: true, wrong: fc.oneof(nonStringOrNull, fc.constantFrom('', 'expired', 'maybe', 'Allow', '__proto__', 'toString')) },
      reason: optionalText(1000),
    },
  },
  {
    method: 'POST',
    pattern: '/api/dashboard/sessions/:session_id/send',
    params: () => ['fuzz-session', ...PROTOTYPE_NAMES],
    template: () => ({ type: 'fuzz' }),
    fields: { type: requiredText(100) },
  },
];

/** Write endpoints that read no body: only path parameters that do not exist, or whose state refuses the action. */
const ACTION_ENDPOINTS: Array<{ method: string; pattern: string; refusedExisting?: () => string[] }> = [
  { method: 'DELETE', pattern: '/api/instances/:name' },
  { method: 'POST', pattern: '/api/instances/:name/start' },
  // The fixture instance is stopped and not archived: these two are refused (409) for it.
  { method: 'POST', pattern: '/api/instances/:name/stop', refusedExisting: () => [existing.instance] },
  { method: 'POST', pattern: '/api/instances/:name/restart' },
  { method: 'POST', pattern: '/api/instances/:name/archive' },
  { method: 'POST', pattern: '/api/instances/:name/unarchive', refusedExisting: () => [existing.instance] },
  { method: 'POST', pattern: '/api/messages/:id/deliver', refusedExisting: () => [existing.ackedMessage] },
  { method: 'POST', pattern: '/api/messages/:id/ack', refusedExisting: () => [existing.ackedMessage] },
  { method: 'DELETE', pattern: '/api/workspaces/:id' },
  { method: 'POST', pattern: '/api/workspaces/:id/refresh' },
  { method: 'POST', pattern: '/api/sessions/:id/dispose' },
  { method: 'POST', pattern: '/api/plans/:id/run', refusedExisting: () => [existing.finishedPlan] },
  { method: 'POST', pattern: '/api/plans/:id/cancel', refusedExisting: () => [existing.finishedPlan] },
];

const utf8 = (s: string) => new TextEncoder().encode(s);
const SLOT = '@@fuzz-slot@@';
const BAD_UTF8: number[][] = [[0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];

/** The template as JSON text with `key` set to a marker string, split around it: `[before, after]` of `"marker"`. */
function splitAt(template: Record<string, unknown>, key: string): [string, string] {
  const [before, after] = JSON.stringify({ ...template, [key]: SLOT }).split(`"${SLOT}"`);
  return [before!, after!];
}

function bodies(e: BodyEndpoint): fc.Arbitrary<Body> {
  const template = e.template();
  const keys = Object.keys(template);
  const fieldNames = Object.keys(e.fields);
  const required = fieldNames.filter((k) => e.fields[k]!.required);
  const wrongable = fieldNames.filter((k) => e.fields[k]!.wrong);
  const emptyIsInvalid = e.emptyIsInvalid ?? true;
  const text = (kind: Kind, s: string): Body => ({ kind, bytes: s });
  /** A body with one field of the wrong type or size (keeps the other template fields). */
  const wrongField = fc
    .constantFrom(...wrongable)
    .chain((k) => e.fields[k]!.wrong!.map((v) => ({ ...template, [k]: v })));
  const arbitraries: Array<fc.Arbitrary<Body>> = [
    (e.wrongTop ?? wrongTop).map((v) => text('wrong_top', JSON.stringify(v))),
    wrongField.map((b) => text('wrong_field', JSON.stringify(b))),
    // A valid body under prototype keys (plus a wrong field where an empty body would be a valid no-op): a server that
    // copied bodies with Object.assign or read inherited fields would take it.
    (emptyIsInvalid ? fc.constant(null) : wrongField).map((extra) => {
      const t = JSON.stringify(template);
      const own = extra === null ? '' : `,${JSON.stringify(extra).slice(1, -1)}`;
      return text('prototype_keys', `{"__proto__":${t},"constructor":${t},"prototype":${t}${own}}`);
    }),
    fc.tuple(fc.constantFrom(...keys, 'extra'), fc.integer({ min: 65, max: 150_000 }), fc.boolean()).map(([k, depth, arrays]) => {
      const [before, after] = splitAt(template, k);
      const deep = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return text('deep', before + deep + after);
    }),
    fc.tuple(fc.constantFrom(...keys, 'extra'), fc.constantFrom('1e400', '-1e400', '1e309', '123456789e999', `-${'9'.repeat(400)}e300`)).map(([k, n]) => {
      const [before, after] = splitAt(template, k);
      return text('huge_number', before + n + after);
    }),
    fc.tuple(fc.constantFrom(...keys, 'extra'), fc.constantFrom(...BAD_UTF8), fc.string({ maxLength: 4 })).map(([k, bad, around]) => {
      const [before, after] = JSON.stringify({ ...template, [k]: `${around}${SLOT}${around}` }).split(SLOT);
      return { kind: 'bad_utf8', bytes: new Uint8Array([...utf8(before!), ...bad, ...utf8(after!)]) } satisfies Body;
    }),
    fc.nat().map((n) => {
      const t = JSON.stringify(template);
      return text('truncated', t.slice(0, n % t.length));
    }),
    // Text that is not JSON, or JSON that is not an object or array.
    fc.string({ maxLength: 40 }).filter((s) => {
      try {
        const v = JSON.parse(s) as unknown;
        return typeof v !== 'object' || v === null;
      } catch {
        return true;
      }
    }).map((s) => text('garbage', s)),
  ];
  if (required.length > 0) {
    arbitraries.push(
      fc.subarray(required, { minLength: 1 }).map((gone) => {
        const b: Record<string, unknown> = { ...template };
        for (const k of gone) delete b[k];
        return text('missing', JSON.stringify(b));
      }),
    );
  } else if (emptyIsInvalid) {
    arbitraries.push(fc.constant(text('missing', '{}')));
  }
  return fc.oneof(...arbitraries);
}

/** An ordinary path segment: prototype names, names that do not exist, arbitrary text. */
const strangeParam = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, 'valueOf', '__defineGetter__', 'no-such-thing', '%', '..x', 'a%2Fb'),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

function pathOf(pattern: string, param: string): string {
  // Params from the fixture and PROTOTYPE_NAMES are raw; strangeParam ones are already encoded.
  return pattern.replace(/:[a-z_]+/, param);
}

function preview(body: Body): string {
  const s = typeof body.bytes === 'string' ? body.bytes : Buffer.from(body.bytes).toString('latin1');
  return s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s;
}

/** The answer must be a 4xx with a registry error body, within the bound. */
function expectRefused(a: Answer, what: string, body?: Body): void {
  const label = `${what} ${body ? `[${body.kind}] ${preview(body)}` : ''} → ${a.status} ${a.text.slice(0, 300)}`;
  // A 429 would hide the real answer: the fuzz must run below the server's rate limits.
  expect(a.status, label).not.toBe(429);
  expect(a.status, label).toBeGreaterThanOrEqual(400);
  expect(a.status, label).toBeLessThan(500);
  expect(a.contentType, label).toMatch(/^application\/json/);
  const parsed = JSON.parse(a.text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof parsed.error?.code === 'string' && isErrorCode(parsed.error.code), label).toBe(true);
  expect(typeof parsed.error?.message === 'string' && parsed.error.message.length > 0, label).toBe(true);
  expect(a.ms, label).toBeLessThan(REQUEST_BOUND_MS);
  // When the body was what got refused, the code says why.
  if (body && a.status === 400) {
    const code = (parsed.error as { code: string }).code;
    if (body.kind === 'bad_utf8') expect(code, label).toBe('invalid_json');
    if (body.kind === 'deep' || body.kind === 'huge_number') expect([code, (parsed.error as { field?: unknown }).field], label).toStrictEqual(['validation_failed', 'body']);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The server and its fixtures

beforeAll(async () => {
  console.log(`rest-fuzz: seed ${SEED}, ${RUNS} runs per endpoint (SWITCHBOARD_FUZZ_SEED / SWITCHBOARD_FUZZ_RUNS to change)`);
  srv = await startTestServer({ gitIntervalSeconds: 3600, stopGraceMs: 1000, rateLimitPerSecond: 0 });
  existing.repo = await makeRepo();
  await postJson('/api/instances', { name: existing.instance, command: `touch ${marker}` }, [201]);
  existing.message = (await postJson('/api/messages', { from: 'fuzz-a', to: 'fuzz-b', message_type: 'fuzz', payload: { x: 1 } }, [201])).message_id;
  existing.ackedMessage = (await postJson('/api/messages', { from: 'fuzz-a', to: 'fuzz-b', message_type: 'fuzz', payload: 1 }, [201])).message_id;
  await postJson(`/api/messages/${existing.ackedMessage}/ack`, undefined, [200]);
  const plan = await postJson('/api/plans', { name: 'fuzz-done', steps: [{ name: 'step', command: 'true' }] }, [201]);
  await postJson(`/api/plans/${plan.id}/cancel`, undefined, [200]);
  existing.finishedPlan = plan.id;
  existing.approval = (await postJson('/api/approvals', { tool: 'fuzz', summary: 'pending' }, [201])).id;
  existing.decidedApproval = (await postJson('/api/approvals', { tool: 'fuzz', summary: 'decided' }, [201])).id;
  await postJson(`/api/approvals/${existing.decidedApproval}/decision`, { decision: 'deny' }, [200]);
  existing.workspace = (await postJson('/api/workspaces', { path: existing.repo }, [201])).id;
  existing.session = (await postJson('/api/spawn', { workspace_id: existing.workspace, target: 'fuzz', command: 'exec sleep 600' }, [201])).id;
  // The spawn refreshes git status and session activity in the background: wait until a refresh changes nothing.
  baseline = await waitFor(async () => {
    const before = await storeState();
    await postJson(`/api/workspaces/${existing.workspace}/refresh`, undefined, [200]);
    const after = await storeState();
    return JSON.stringify(before) === JSON.stringify(after) ? after : undefined;
  }, { timeoutMs: 15_000 });
}, 60_000);

afterAll(async () => {
  await srv?.close();
  removeRepos();
  rmSync(markerDir, { recursive: true, force: true });
});

describe('REST fuzz: invalid requests are refused with a 4xx and change nothing', () => {
  it('covers every write route of the router', () => {
    const writes = srv.server.routes().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.pattern}`).sort();
    const covered = [...BODY_ENDPOINTS, ...ACTION_ENDPOINTS].map((r) => `${r.method} ${r.pattern}`).sort();
    // A new write route must be added to BODY_ENDPOINTS (it reads a body) or ACTION_ENDPOINTS (it does not).
    expect(covered).toStrictEqual(writes);
  });

  it.each(BODY_ENDPOINTS.map((e) => [`${e.method} ${e.pattern}`, e] as const))('%s', async (_name, e) => {
    // The existing thing (listed first) most often: that is where a body is read and acted on.
    const [first, ...others] = e.params?.() ?? [''];
    const params = e.params
      ? fc.oneof({ arbitrary: fc.constant(first!), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 2 }, { arbitrary: strangeParam, weight: 1 })
      : fc.constant('');
    await fc.assert(
      fc.asyncProperty(params, bodies(e), async (param, body) => {
        const path = e.params ? pathOf(e.pattern, param) : e.pattern;
        expectRefused(await send(e.method, path, body.bytes), `${e.method} ${path}`, body);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(await storeState()).toStrictEqual(baseline);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('action routes with missing, prototype-named or state-refused parameters', async () => {
    const anyBody = fc.oneof(...BODY_ENDPOINTS.map(bodies), fc.constant<Body>({ kind: 'missing', bytes: '{}' }));
    for (const a of ACTION_ENDPOINTS) {
      const params = fc.oneof(strangeParam, fc.constantFrom(...PROTOTYPE_NAMES, ...(a.refusedExisting?.() ?? [])));
      await fc.assert(
        fc.asyncProperty(params, anyBody, async (param, body) => {
          const path = pathOf(a.pattern, param);
          expectRefused(await send(a.method, path, body.bytes), `${a.method} ${path}`);
        }),
        { seed: SEED, numRuns: Math.max(5, Math.round(RUNS / 3)) },
      );
    }
    expect(await storeState()).toStrictEqual(baseline);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);
});
