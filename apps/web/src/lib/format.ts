// Formatting for dense tables: costs, relative times, short ids.

/** `$0.0123` below a dollar, `$12.34` above. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '$0.00';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** `12s`, `4m`, `3h`, `2d` ago from `now` (ms); `—` for null. */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** `in 12s`, `in 3m` until `iso` from `now` (ms); `now` once it is due. */
export function timeUntil(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (!(s > 0)) return 'now';
  return s < 60 ? `in ${s}s` : `in ${Math.ceil(s / 60)}m`;
}

// One formatter for every row: `toLocaleTimeString` builds a new one per call, which in a busy activity feed
// was half the page's main-thread time (docs/architecture.md, "Keeping up with a busy fleet").
let clockFormat: Intl.DateTimeFormat | null = null;

/** `HH:MM:SS` in local time. */
export function clockTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return clockFormat.format(ms);
}

/** First 8 characters of an id. */
export const shortId = (id: string): string => (id.length > 10 ? id.slice(0, 8) : id);

/** Compact integer: 1234 → 1.2k. */
export function compactNumber(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** How far behind a live view is: `2.4s`, `12s`, `3m`. */
export function behindText(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  return `${Math.round(ms / 60_000)}m`;
}
