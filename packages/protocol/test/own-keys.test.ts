import { describe, expect, it } from 'vitest';
import { getOwn, setOwn } from '../src/own-keys';

const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('getOwn', () => {
  it.each(NAMES)('does not see the inherited %s', (name) => {
    expect(getOwn({ a: 1 } as Record<string, number>, name)).toBeUndefined();
  });

  it('sees own keys, whatever their name', () => {
    const obj = JSON.parse('{"__proto__": 1, "constructor": 2, "a": 3}') as Record<string, number>;
    expect(getOwn(obj, '__proto__')).toBe(1);
    expect(getOwn(obj, 'constructor')).toBe(2);
    expect(getOwn(obj, 'a')).toBe(3);
  });
});

describe('setOwn', () => {
  it.each(NAMES)('makes %s an ordinary own key and leaves the prototype alone', (name) => {
    const obj: Record<string, string> = {};
    setOwn(obj, name, 'v');
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toStrictEqual([name]);
    expect(getOwn(obj, name)).toBe('v');
    expect(JSON.parse(JSON.stringify(obj))).toStrictEqual(JSON.parse(`{${JSON.stringify(name)}:"v"}`));
  });

  it('overwrites an own __proto__ key', () => {
    const obj: Record<string, number> = {};
    setOwn(obj, '__proto__', 1);
    setOwn(obj, '__proto__', 2);
    expect(getOwn(obj, '__proto__')).toBe(2);
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
  });
});
