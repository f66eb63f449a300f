// The summary an approval shows instead of the tool input (docs/protocol.md, "Approvals"). Tool input is whatever an
// agent was about to run: a shell command with an inline token, a file it would write with a key in it, an HTTP call
// with an Authorization header. The summary reaches events, frames, dashboards and logs, so it is short and every
// value that looks like a secret is masked. The input itself is never stored.

import { MAX_APPROVAL_SUMMARY_LENGTH } from '@switchboard/protocol';

export const SECRET_MASK = '****';
/** Longest string value kept from the input before it is cut. */
const MAX_VALUE_CHARS = 120;
/** How deep into the input the summary looks. */
const MAX_DEPTH = 3;
/** Fields of one object the summary lists. */
const MAX_FIELDS = 8;

/** Field names whose values are secrets whatever they look like. */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|auth|credential|cookie|session[-_]?id|private[-_]?key|signature|bearer|jwt/i;

// Values that look like secrets wherever they appear (a command line, a URL, a file body).
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // `Authorization: Bearer x`, `Basic x`, `token x`
  [/\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${SECRET_MASK}`],
  // KEY=value and --key value / --key=value where the key names a secret (env assignments, CLI flags)
  [/\b([A-Za-z0-9_]*(?:PASS(?:WORD|WD)?|SECRET|TOKEN|API_?KEY|AUTH|CREDENTIALS?|PRIVATE_?KEY)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/gi, `$1=${SECRET_MASK}`],
  [/(--?[A-Za-z-]*(?:password|passwd|secret|token|api-?key|auth)[A-Za-z-]*)(=|\s+)("[^"]*"|'[^']*'|\S+)/gi, `$1$2${SECRET_MASK}`],
  // user:password@ in URLs
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):[^@\s/]+@/gi, `$1:${SECRET_MASK}@`],
  // secret-bearing query parameters
  [/([?&](?:access_token|token|key|api_key|apikey|secret|password|sig|signature)=)[^&\s]+/gi, `$1${SECRET_MASK}`],
  // JWTs, PEM blocks, and well-known key prefixes (sk-…, ghp_…, xox…-, AKIA…)
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, SECRET_MASK],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, SECRET_MASK],
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{12,}/g, SECRET_MASK],
  [/\b(ghp|gho|ghu|ghs|ghr|github_pat|glpat|xox[abprs])[-_][A-Za-z0-9_-]{10,}/g, SECRET_MASK],
  [/\bAKIA[0-9A-Z]{16}\b/g, SECRET_MASK],
  // long unbroken runs of base64/hex: keys more often than words
  [/\b[A-Za-z0-9+/_-]{40,}={0,2}/g, SECRET_MASK],
];

/** `text` with everything that looks like a secret masked. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRET_PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Cut `text` to `max` characters with `…`, on a code point boundary. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** A given summary: one line, secrets masked, bounded. */
export function cleanSummary(summary: string): string {
  return cut(maskSecrets(summary.replace(/\s+/g, ' ').trim()), MAX_APPROVAL_SUMMARY_LENGTH);
}

/**
 * A summary of a tool input: `command: npm test`, `file_path: src/a.ts, content: …`. Values of secret-named fields
 * are masked whole, other strings are masked by pattern and cut, nested values are summarized a few levels deep.
 */
export function summarizeInput(input: unknown): string {
  return cleanSummary(render(input, 0));
}

function render(value: unknown, depth: number): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return cut(maskSecrets(value), MAX_VALUE_CHARS);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_FIELDS).map((v) => render(v, depth + 1));
    if (value.length > MAX_FIELDS) items.push(`… ${value.length - MAX_FIELDS} more`);
    return `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    const parts = keys.slice(0, MAX_FIELDS).map((k) => {
      const v = (value as Record<string, unknown>)[k];
      return `${cut(k, 40)}: ${SECRET_KEY.test(k) && v !== null && v !== '' ? SECRET_MASK : render(v, depth + 1)}`;
    });
    if (keys.length > MAX_FIELDS) parts.push(`… ${keys.length - MAX_FIELDS} more`);
    return depth === 0 ? parts.join(', ') : `{${parts.join(', ')}}`;
  }
  return '';
}
