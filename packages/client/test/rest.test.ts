import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '@switchboard/protocol';
import { RestClient, errorFromResponse, type FetchFn } from '../src/rest';

/** In-process REST: a fetch that answers from a function and records requests (STYLE: Request in, Response out). */
function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const f: FetchFn = async (url, init = {}) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { f, calls };
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('REST errors', () => {
  it.each([
    [400, { error: { code: 'validation_failed', message: 'data.percent: too big', field: 'data.percent' } }, 'validation_failed', 400],
    [400, { error: { code: 'reserved_topic', message: 'instance.* is server-only' } }, 'reserved_topic', 400],
    [401, { error: { code: 'token_expired', message: 'expired' } }, 'token_expired', 401],
    [413, { error: { code: 'payload_too_large', message: 'too big' } }, 'payload_too_large', 413],
    [404, {}, 'not_found', 404],
    [502, 'not json', 'internal', 500],
    [418, { error: { code: 'teapot', message: 'short and stout' } }, 'bad_request', 400],
  ])('HTTP %s %j → %s', (status, body, code, expectedStatus) => {
    const e = errorFromResponse(status, body);
    expect(e).toBeInstanceOf(SwitchboardError);
    expect(e.code).toBe(code);
    expect(e.status).toBe(expectedStatus);
    expect(e.details?.http_status).toBe(status);
  });

  it('keeps the server message, extra fields, and an unknown server code', () => {
    const e = errorFromResponse(418, { error: { code: 'teapot', message: 'short and stout', field: 'x' } });
    expect(e.message).toBe('short and stout');
    expect(e.details).toMatchObject({ server_code: 'teapot', field: 'x' });
  });
});

describe('REST client', () => {
  it('publishes one event with the bearer token and resolves with epoch, seq, id', async () => {
    const { f, calls } = fakeFetch(() => json(201, { epoch: 'e', seq: 7, id: '01J' }));
    const rest = new RestClient({ httpBase: 'http://h:1', token: 'tok', fetch: f });
    await expect(rest.publish({ topic: 'task.started', data: { id: 't' } })).resolves.toEqual({ epoch: 'e', seq: 7, id: '01J' });
    expect(calls[0]!.url).toBe('http://h:1/api/events');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ topic: 'task.started', data: { id: 't' } });
  });

  it('rejects non-2xx with the server code', async () => {
    const { f } = fakeFetch(() => json(400, { error: { code: 'validation_failed', message: 'data.id: required', field: 'data.id' } }));
    const rest = new RestClient({ httpBase: 'http://h', fetch: f });
    const err = await rest.publish({ topic: 'task.started', data: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect(err).toMatchObject({ code: 'validation_failed', status: 400, message: 'data.id: required', details: { field: 'data.id' } });
  });

  it('resolves empty successes such as 204 with undefined', async () => {
    const { f } = fakeFetch(() => new Response(null, { status: 204 }));
    const rest = new RestClient({ httpBase: 'http://h', fetch: f });
    await expect(rest.request('DELETE', '/api/workspaces/w1')).resolves.toBeUndefined();
  });

  it('rejects a network failure as unavailable and retryable', async () => {
    const rest = new RestClient({ httpBase: 'http://h', fetch: async () => { throw new TypeError('fetch failed'); } });
    const err = (await rest.fetchSnapshot(['*']).catch((e: unknown) => e)) as SwitchboardError;
    expect(err.code).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect((err.cause as Error).message).toBe('fetch failed');
  });

  it('builds the polling query of docs/protocol.md#events', async () => {
    const { f, calls } = fakeFetch(() => json(200, { epoch: 'e', seq: 1, recovered: true, events: [], has_more: false }));
    const rest = new RestClient({ httpBase: 'http://h', fetch: f });
    await rest.pollEvents({ cursor: { epoch: 'e 1', seq: 41 }, topics: ['a.*', 'b'], limit: 1000 });
    const u = new URL(calls[0]!.url);
    expect(u.pathname).toBe('/api/events');
    expect(Object.fromEntries(u.searchParams)).toEqual({ since: '41', epoch: 'e 1', topics: 'a.*,b', limit: '1000' });
    expect(calls[0]!.init.headers).not.toHaveProperty('authorization');
  });
});
