// Immutable helpers for id-keyed slices. They keep two invariants the client/server equality relies on (docs/protocol.md#events):
// the slice object is reused when nothing changes, and no record ever holds an `undefined` field, which JSON
// (the snapshot) would drop and so make a client's state differ from the server's.
//
// Slices are copied with a plain key loop rather than `{ ...slice, [id]: r }`, rest destructuring or `delete`: on
// V8 (Node 20) those take slow dictionary paths for objects of ~1000 keys, several ms per event once a capped slice
// is full and records come and go; the loop stays near a microsecond per key.

/** The record stored under `id`; inherited properties never count, so ids like `constructor` are plain ids. */
export function getRecord<T>(slice: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(slice, id) ? slice[id] : undefined;
}

/**
 * `slice` with `record` under `id`, or `slice` itself when an equal record is already there. An existing key keeps
 * its position; a new one goes last (after integer-like keys, which JS always orders first).
 */
export function putRecord<T extends object>(slice: Record<string, T>, id: string, record: NoInfer<T>): Record<string, T> {
  const prev = getRecord(slice, id);
  if (prev !== undefined && shallowEqual(prev, record)) return slice;
  const out = copySlice(slice);
  setOwn(out, id, record);
  return out;
}

/** `slice` without `id`, or `slice` itself when there is no such record. */
export function removeRecord<T>(slice: Record<string, T>, id: string): Record<string, T> {
  if (!Object.hasOwn(slice, id)) return slice;
  return copySlice(slice, (key) => key === id);
}

/** A shallow copy of `slice` in its key order, leaving out the keys `skip` accepts. */
export function copySlice<T>(slice: Readonly<Record<string, T>>, skip?: (key: string) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(slice)) {
    if (skip && skip(key)) continue;
    setOwn(out, key, slice[key]!);
  }
  return out;
}

/** Set an own property; `__proto__` would otherwise replace the prototype instead of becoming a key. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** A copy of `record` without its `undefined` fields (see the file comment for why). */
export function compact<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Same keys with `Object.is` values; arrays (swarm members) compare element by element. */
function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) {
    if (!Object.hasOwn(rb, k)) return false;
    const va = ra[k];
    const vb = rb[k];
    if (Object.is(va, vb)) continue;
    if (!Array.isArray(va) || !Array.isArray(vb) || va.length !== vb.length) return false;
    for (let i = 0; i < va.length; i++) if (!Object.is(va[i], vb[i])) return false;
  }
  return true;
}
