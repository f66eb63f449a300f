// Finds the publisher's stamp (`"i":N` sequence, `"t":MS` publish time) in a raw frame without JSON.parse, so the
// generator spends its CPU on sockets rather than on parsing 170-byte frames by the hundred thousand.

const I_KEY = Buffer.from('"i":');
const T_KEY = Buffer.from('"t":');

/** Result slot reused by `readStamp` (no allocation per frame). */
export interface Stamp {
  i: number;
  t: number;
}

/** Fill `out` from a frame holding `"i":<int>,"t":<number>`; false when the frame carries no stamp. */
export function readStamp(buf: Buffer, out: Stamp): boolean {
  const ip = buf.indexOf(I_KEY);
  if (ip < 0) return false;
  let p = ip + I_KEY.length;
  let i = 0;
  let c = buf[p]!;
  if (c < 48 || c > 57) return false;
  while (c >= 48 && c <= 57) {
    i = i * 10 + (c - 48);
    c = buf[++p]!;
  }
  const tp = buf.indexOf(T_KEY, p);
  if (tp < 0) return false;
  const start = tp + T_KEY.length;
  let end = start;
  while (end < buf.length && buf[end] !== 44 /* , */ && buf[end] !== 125 /* } */) end++;
  const t = Number(buf.toString('latin1', start, end));
  if (!Number.isFinite(t)) return false;
  out.i = i;
  out.t = t;
  return true;
}
