// Checks of a parsed JSON body that JSON.parse itself does not make (docs/protocol.md, "Input hygiene"):
// - nesting depth: JSON.parse accepts any depth, but the recursive code after it (JSON.stringify when the event is
//   stored, zod, the projections) would overflow the stack on a deep enough value;
// - finite numbers: JSON.parse turns 1e400 into Infinity, which JSON.stringify would silently store as null.
// The walk is iterative, so the check itself cannot overflow.

export type JsonShapeProblem = { kind: 'too_deep' | 'not_finite'; path: string };

/** The first problem of `value`, or `null` when it nests at most `maxDepth` containers and every number is finite. */
export function jsonShapeProblem(value: unknown, maxDepth: number): JsonShapeProblem | null {
  // Each entry: a value, how many containers hold it, and its path, built lazily (only reported paths are joined).
  const stack: Array<{ v: unknown; depth: number; path: PathNode | null }> = [{ v: value, depth: 0, path: null }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { kind: 'not_finite', path: render(path) };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return { kind: 'too_deep', path: render(path) };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, path: { parent: path, key: i } });
    } else {
      // Object.keys sees an own `__proto__` key that JSON.parse created, so nothing escapes the walk.
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: { parent: path, key } });
      }
    }
  }
  return null;
}

interface PathNode {
  parent: PathNode | null;
  key: string | number;
}

/** `data.items[3].x`, or `` for the top level; long paths keep their first segments. */
function render(node: PathNode | null): string {
  const parts: Array<string | number> = [];
  for (let n = node; n; n = n.parent) parts.push(n.key);
  parts.reverse();
  let out = '';
  for (const k of parts.slice(0, 12)) out += typeof k === 'number' ? `[${k}]` : out === '' ? k.slice(0, 64) : `.${k.slice(0, 64)}`;
  return parts.length > 12 ? `${out}…` : out;
}
