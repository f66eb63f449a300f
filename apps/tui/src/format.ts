// Text formatting for fixed-width terminal cells: truncation, columns, money, tokens and clock times. Pure.

/** `text` cut to at most `width` characters, ending in `…` when cut. Control characters become spaces. */
export function truncate(text: string, width: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if (width <= 0) return '';
  const chars = [...clean];
  if (chars.length <= width) return clean;
  return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

/** `left` and `right` on one line of exactly `width` characters: `left` is truncated first, `right` only if it must. */
export function fitColumns(left: string, right: string, width: number): string {
  const r = truncate(right, width);
  const room = width - [...r].length - (r ? 1 : 0);
  if (room <= 0) return r.padStart(width);
  const l = truncate(left, room);
  return `${l}${' '.repeat(width - [...l].length - [...r].length)}${r}`;
}

/** US dollars: 4 decimals below $1 (agent calls cost fractions of a cent), 2 above. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '$—';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Token counts in short form: 950, 12.3k, 4.5M. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `HH:MM:SS` in local time of an ISO timestamp; the raw string when it does not parse. */
export function formatClock(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts.slice(0, 8).padEnd(8);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** An event's free-form `detail` (any JSON) as one line of text; '' when absent. */
export function describe(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
