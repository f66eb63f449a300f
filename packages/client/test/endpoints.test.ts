import { describe, expect, it } from 'vitest';
import { resolveEndpoints, withToken } from '../src/url';

describe('endpoints from the url option', () => {
  it.each([
    ['http://127.0.0.1:8000', 'ws://127.0.0.1:8000/ws/events', 'http://127.0.0.1:8000'],
    ['http://127.0.0.1:8000/', 'ws://127.0.0.1:8000/ws/events', 'http://127.0.0.1:8000'],
    ['https://fleet.example.com/switchboard/', 'wss://fleet.example.com/switchboard/ws/events', 'https://fleet.example.com/switchboard'],
    ['ws://127.0.0.1:8000', 'ws://127.0.0.1:8000/ws/events', 'http://127.0.0.1:8000'],
    ['ws://localhost:8000/ws/agents', 'ws://localhost:8000/ws/agents', 'http://localhost:8000'],
    ['wss://h/ws/events?topics=task.*', 'wss://h/ws/events?topics=task.*', 'https://h'],
  ])('%s → socket %s, REST %s', (url, socketUrl, httpBase) => {
    expect(resolveEndpoints(url)).toEqual({ socketUrl, httpBase });
  });

  it('resolves a relative url against the page location', () => {
    expect(resolveEndpoints('/', 'https://dash.example.com/app/index.html')).toEqual({
      socketUrl: 'wss://dash.example.com/ws/events',
      httpBase: 'https://dash.example.com',
    });
  });

  it.each(['not a url', 'ftp://host/x', ''])('rejects %j with a clear error', (url) => {
    expect(() => resolveEndpoints(url)).toThrow(/switchboard client/);
  });

  it('adds the token as a query parameter', () => {
    expect(withToken('ws://h/ws/events', 'a b&c')).toBe('ws://h/ws/events?token=a+b%26c');
    expect(withToken('ws://h/ws/events?x=1', 't')).toBe('ws://h/ws/events?x=1&token=t');
    expect(withToken('ws://h/ws/events', undefined)).toBe('ws://h/ws/events');
  });
});
