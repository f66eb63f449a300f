// The pure part of reading a REST body: UTF-8 decoding, JSON parsing and the shape checks after it.

import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, SwitchboardError } from '@switchboard/protocol';
import { parseJsonBody } from '../src/http/body';
import { jsonShapeProblem } from '../src/http/json-shape';

const bytes = (text: string) => new TextEncoder().encode(text);

function errorOf(fn: () => unknown): SwitchboardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwitchboardError) return err;
    throw err;
  }
  throw new Error('expected a SwitchboardError');
}

const nested = (depth: number, leaf = '0') => '['.repeat(depth) + leaf + ']'.repeat(depth);

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON, non-ASCII text included', () => {
    expect(parseJsonBody(bytes('{"topic":"x","data":{"name":"Zoë ✓ 日本 🚀"}}'))).toStrictEqual({ topic: 'x', data: { name: 'Zoë ✓ 日本 🚀' } });
  });

  it('skips a leading UTF-8 byte order mark', () => {
    expect(parseJsonBody(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":1}')]))).toStrictEqual({ a: 1 });
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid byte', [0xff]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('refuses %s inside a string with invalid_json naming the body', (_name, bad) => {
    const body = new Uint8Array([...bytes('{"topic":"custom.x","data":{"s":"'), ...bad, ...bytes('"}}')]);
    const err = errorOf(() => parseJsonBody(body));
    expect(err.code).toBe('invalid_json');
    expect(err.status).toBe(400);
    expect(err.details).toStrictEqual({ field: 'body' });
    expect(err.message).toMatch(/not valid UTF-8/);
  });

  it('refuses bad JSON with invalid_json', () => {
    const err = errorOf(() => parseJsonBody(bytes('{"topic":')));
    expect(err.code).toBe('invalid_json');
    expect(err.details).toStrictEqual({ field: 'body' });
  });

  it('refuses an empty body with validation_failed', () => {
    expect(errorOf(() => parseJsonBody(bytes('  \n'))).code).toBe('validation_failed');
  });

  it(`accepts ${MAX_BODY_DEPTH} levels of nesting and refuses one more`, () => {
    expect(parseJsonBody(bytes(nested(MAX_BODY_DEPTH)))).toBeDefined();
    const err = errorOf(() => parseJsonBody(bytes(nested(MAX_BODY_DEPTH + 1))));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toStrictEqual({ field: 'body' });
    expect(err.message).toMatch(/more than 64 levels/);
  });

  it('refuses very deep nesting (far past the stack) without overflowing', () => {
    const text = nested(400_000);
    expect(errorOf(() => parseJsonBody(bytes(text))).code).toBe('validation_failed');
    const objects = '{"a":'.repeat(150_000) + '1' + '}'.repeat(150_000);
    expect(errorOf(() => parseJsonBody(bytes(objects))).code).toBe('validation_failed');
  });

  it.each(['1e400', '-1e400', '123456789e999'])('refuses the number %s, which JSON.parse turns into an infinity', (n) => {
    const err = errorOf(() => parseJsonBody(bytes(`{"topic":"custom.x","data":{"list":[1,${n}]}}`)));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toStrictEqual({ field: 'body' });
    expect(err.message).toContain('data.list[1]');
  });

  it('keeps big finite numbers and own __proto__ keys as they are', () => {
    const v = parseJsonBody(bytes('{"n":18446744073709551616,"m":1e308,"__proto__":{"x":1}}')) as Record<string, unknown>;
    expect(v.n).toBe(2 ** 64);
    expect(v.m).toBe(1e308);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe('jsonShapeProblem', () => {
  it('finds a non-finite number hidden under an own __proto__ key', () => {
    const v = JSON.parse('{"__proto__":{"x":1e999}}');
    expect(jsonShapeProblem(v, 64)).toStrictEqual({ kind: 'not_finite', path: '__proto__.x' });
  });

  it('counts containers, not scalars', () => {
    expect(jsonShapeProblem(5, 0)).toBeNull();
    expect(jsonShapeProblem({}, 0)).toStrictEqual({ kind: 'too_deep', path: '' });
    expect(jsonShapeProblem({ a: [1] }, 2)).toBeNull();
    expect(jsonShapeProblem({ a: [[]] }, 2)).toStrictEqual({ kind: 'too_deep', path: 'a[0]' });
  });
});
