// The pure parts of the request guard (docs/security.md): which Host headers name us, which content types are
// JSON, and which origins may act.

import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isJsonContentType } from '../src/guard/content-type';
import { HostAllowlist, hostnameOfHostHeader, isLoopbackName } from '../src/guard/host-allowlist';
import { OriginPolicy } from '../src/guard/origin-policy';

describe('HostAllowlist', () => {
  const loopback = new HostAllowlist('127.0.0.1', ['sb.example.com', '.corp.test', 'fe80::1']);
  it.each([
    ['127.0.0.1:8000', true],
    ['127.0.0.2', true],
    ['localhost:8000', true],
    ['LOCALHOST.', true],
    ['dev.localhost:5173', true],
    ['[::1]:8000', true],
    ['[::ffff:127.0.0.1]:8000', true],
    ['sb.example.com', true],
    ['SB.Example.com:443', true],
    ['corp.test', true],
    ['a.b.corp.test:80', true],
    ['[fe80::1]:8000', true],
    [undefined, true],
    ['attacker.example:8000', false],
    ['sb.example.com.evil.test', false],
    ['evilcorp.test', false],
    ['localhost.evil.test', false],
    ['10.0.0.5:8000', false],
    ['127.0.0.1:8000@evil', false],
    ['', false],
    ['a b', false],
  ])('Host %j on a loopback bind → %s', (host, ok) => {
    expect(loopback.allows(host)).toBe(ok);
  });

  it('bound to every interface, answers any IP literal but not other names', () => {
    const any = new HostAllowlist('0.0.0.0');
    expect(any.allows('10.0.0.5:8000')).toBe(true);
    expect(any.allows('[2001:db8::1]')).toBe(true);
    expect(any.allows('rebind.example')).toBe(false);
  });

  it('answers its bind name, and everything with *', () => {
    expect(new HostAllowlist('myhost.lan').allows('MyHost.lan:9000')).toBe(true);
    expect(new HostAllowlist('::1').allows('[::1]:1')).toBe(true);
    expect(new HostAllowlist('127.0.0.1', ['*']).allows('anything.example')).toBe(true);
  });

  it('parses Host headers strictly', () => {
    expect(hostnameOfHostHeader('[::1]:80')).toBe('[::1]');
    expect(hostnameOfHostHeader('Example.com.:1')).toBe('example.com');
    expect(hostnameOfHostHeader('example.com:123456')).toBeNull();
    expect(hostnameOfHostHeader('user@example.com')).toBeNull();
    expect(isLoopbackName('127.255.0.1')).toBe(true);
    expect(isLoopbackName('128.0.0.1')).toBe(false);
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=UTF-8', true],
    ['application/json;charset="utf-8"', true],
    ['application/merge-patch+json', true],
    ['application/vnd.switchboard.v1+json', true],
    ['application/json; charset=latin1', false],
    ['text/plain', false],
    ['text/plain; charset=utf-8', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['application/jsonx', false],
    ['text/json', false],
    ['', false],
  ])('%j → %s', (type, ok) => {
    expect(isJsonContentType(type)).toBe(ok);
  });
});

describe('OriginPolicy', () => {
  const req = (headers: Record<string, string>) => ({ headers: { host: '127.0.0.1:8000', ...headers } }) as unknown as IncomingMessage;
  const open = new OriginPolicy(['https://app.example.com/'], false);
  const tokened = new OriginPolicy(['https://app.example.com'], true);
  it.each([
    [{}, true, true],
    [{ origin: 'http://127.0.0.1:8000' }, true, true],
    [{ origin: 'https://app.example.com' }, true, true],
    [{ origin: 'http://localhost:5173' }, true, false],
    [{ origin: 'http://[::1]:3000' }, true, false],
    [{ origin: 'https://evil.example' }, false, false],
    [{ origin: 'null' }, false, false],
    [{ origin: 'not an origin' }, false, false],
    [{ origin: 'http://127.0.0.1:8001', host: '127.0.0.1:8000' }, true, false],
    [{ 'sec-fetch-site': 'cross-site' }, false, false],
    [{ 'sec-fetch-site': 'same-site' }, true, false],
    [{ 'sec-fetch-site': 'same-origin' }, true, true],
    [{ 'sec-fetch-site': 'none' }, true, true],
  ])('%j → without a token %s, with one %s', (headers, withoutToken, withToken) => {
    const passes = (p: OriginPolicy) => {
      try {
        p.check(req(headers));
        return true;
      } catch (err) {
        expect((err as { code: string }).code).toBe('origin_not_allowed');
        return false;
      }
    };
    expect([passes(open), passes(tokened)]).toEqual([withoutToken, withToken]);
  });

  it('* allows every real origin but still not null', () => {
    const star = new OriginPolicy(['*'], true);
    expect(star.allowsOrigin(req({ origin: 'https://any.example' }))).toBe(true);
    expect(star.allowsOrigin(req({ origin: 'null' }))).toBe(false);
  });
});
