import { describe, expect, it } from 'vitest';
import { createResumeTracker } from '../src/tail/resume-tracker';
import { resolveTailTarget } from '../src/tail/tail-target';
import { normaliseBaseUrl } from '../src/client-options';

const BASE = 'http://127.0.0.1:8000';

describe('tail target resolution', () => {
  it.each([
    ['/ws/events', BASE, 'ws://127.0.0.1:8000/ws/events', 'events', 'frame'],
    ['ws/events', BASE, 'ws://127.0.0.1:8000/ws/events', 'events', 'frame'],
    ['/ws/agents', BASE, 'ws://127.0.0.1:8000/ws/agents', 'events', 'query'],
    ['/ws/events?topics=task.*', BASE, 'ws://127.0.0.1:8000/ws/events?topics=task.*', 'events', 'query'],
    ['/ws/instances', BASE, 'ws://127.0.0.1:8000/ws/instances', 'other', 'frame'],
    ['/ws/instances/web-1/logs?backlog=10', BASE, 'ws://127.0.0.1:8000/ws/instances/web-1/logs?backlog=10', 'logs', 'frame'],
    ['/ws/events', 'https://sb.example.com/proxy', 'wss://sb.example.com/proxy/ws/events', 'events', 'frame'],
    ['ws://10.0.0.2:9000/ws/events', BASE, 'ws://10.0.0.2:9000/ws/events', 'events', 'frame'],
    ['http://10.0.0.2:9000/ws/dashboard', BASE, 'ws://10.0.0.2:9000/ws/dashboard', 'other', 'frame'],
    ['https://sb.example.com/ws/agents', BASE, 'wss://sb.example.com/ws/agents', 'events', 'query'],
    ['localhost:9000/ws/events', BASE, 'ws://localhost:9000/ws/events', 'events', 'frame'],
  ])('%s on %s → %s (%s, by %s)', (input, base, url, kind, subscribeBy) => {
    expect(resolveTailTarget(input, base)).toEqual({ url, kind, subscribeBy });
  });

  it('refuses other schemes', () => {
    expect(() => resolveTailTarget('ftp://x/ws/events', BASE)).toThrow(/expected a ws:\/\/, http:\/\/ URL or a path/);
  });

  it.each([
    ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
    ['http://127.0.0.1:8000/', 'http://127.0.0.1:8000'],
    ['localhost:9000', 'http://localhost:9000'],
    ['ws://h:1', 'http://h:1'],
    ['wss://h/prefix/', 'https://h/prefix'],
  ])('normalises the server URL %s → %s', (raw, expected) => {
    expect(normaliseBaseUrl(raw)).toBe(expected);
  });
});

describe('tail resume tracker', () => {
  const ev = (seq: number, type = 'task.progress') => ({ type, seq, ts: '2026-01-01T00:00:00.000Z', data: {} });

  it('subscribes without since until a position is known, then from the last printed seq', () => {
    const t = createResumeTracker();
    expect(t.subscribeFrame(['*'])).toEqual({ type: 'subscribe', topics: ['*'] });
    expect(t.accept({ type: 'subscribed', topics: ['*'], epoch: 'E', seq: 10, recovered: false })).toBe(true);
    expect(t.subscribeFrame(['*'])).toEqual({ type: 'subscribe', topics: ['*'] });
    expect(t.accept({ type: 'snapshot', epoch: 'E', seq: 10, state: {} })).toBe(true);
    expect(t.subscribeFrame(['a.*'])).toEqual({ type: 'subscribe', topics: ['a.*'], since: { epoch: 'E', seq: 10 } });
    expect(t.accept(ev(11))).toBe(true);
    expect(t.accept(ev(14))).toBe(true);
    expect(t.subscribeFrame(['*']).since).toEqual({ epoch: 'E', seq: 14 });
  });

  it('starts from --epoch/--since and drops replayed duplicates after a resume', () => {
    const t = createResumeTracker({ epoch: 'E', seq: 5 });
    expect(t.subscribeFrame(['*']).since).toEqual({ epoch: 'E', seq: 5 });
    expect(t.accept({ type: 'subscribed', topics: ['*'], epoch: 'E', seq: 9, recovered: true })).toBe(true);
    expect([4, 5, 6, 7, 6, 8].map((seq) => t.accept(ev(seq)))).toEqual([false, false, true, true, false, true]);
    expect(t.cursor()).toEqual({ epoch: 'E', seq: 8 });
  });

  it('forgets old seqs when the epoch changes, and takes the snapshot position', () => {
    const t = createResumeTracker({ epoch: 'OLD', seq: 500 });
    t.accept({ type: 'subscribed', topics: ['*'], epoch: 'NEW', seq: 3, recovered: false });
    expect(t.cursor()).toEqual({ epoch: 'NEW', seq: undefined });
    t.accept({ type: 'snapshot', epoch: 'NEW', seq: 3, state: {} });
    expect(t.accept(ev(3))).toBe(false);
    expect(t.accept(ev(4))).toBe(true);
  });

  it('hides pongs and prints errors and other control frames', () => {
    const t = createResumeTracker();
    expect(t.accept({ type: 'pong' })).toBe(false);
    expect(t.accept({ type: 'error', code: 'invalid_topic', message: 'x' })).toBe(true);
    expect(t.accept({ type: 'unsubscribed', topics: ['a.*'] })).toBe(true);
    expect(t.cursor()).toEqual({ epoch: undefined, seq: undefined });
  });

  it('puts the subscription in the query string for query-subscribed streams', () => {
    const t = createResumeTracker();
    expect(t.subscribeUrl('ws://h/ws/agents', undefined)).toBe('ws://h/ws/agents?topics=*');
    expect(t.subscribeUrl('ws://h/ws/events?topics=task.*', undefined)).toBe('ws://h/ws/events?topics=task.*');
    const since = createResumeTracker({ seq: 7 });
    expect(since.subscribeUrl('ws://h/ws/agents', ['a.*', 'b'])).toBe('ws://h/ws/agents?topics=a.*%2Cb&since_seq=7');
    since.accept({ type: 'subscribed', topics: ['*'], epoch: 'E', seq: 9, recovered: true });
    since.accept(ev(9));
    expect(since.subscribeUrl('ws://h/ws/agents?since_seq=1', ['*'])).toBe('ws://h/ws/agents?topics=*&since_epoch=E&since_seq=9');
  });
});
