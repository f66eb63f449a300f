// Reading and writing plain objects keyed by outside input (topics, ids, names, env keys). A plain object inherits
// `toString`, `constructor`, `__proto__` and friends from Object.prototype: a lookup must see own keys only, and a
// write of `__proto__` must create a key instead of replacing the prototype (docs/protocol.md, "Input hygiene").

/** `obj[key]` when `key` is an own property of `obj`, else `undefined`; inherited members never count. */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Set `obj[key]` as an own, enumerable property, `__proto__` included (a plain assignment would set the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
