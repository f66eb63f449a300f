// Where the SDK's token comes from (docs/protocol.md, "Auth"): a fixed `token`, or a `getToken()` callback asked
// for every connect attempt and REST call, and again shortly before the open socket's token expires, so the socket
// is refreshed in place with an `auth` frame instead of reconnecting.

/** Returns the token to present; may cache, may fetch one from an auth service. */
export type GetToken = () => string | Promise<string>;

/** The longest a refresh happens before expiry. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** The share of a token's remaining life left when it is refreshed, for short-lived tokens. */
const REFRESH_SHARE = 0.2;

export class TokenSource {
  readonly #fixed: string | undefined;
  readonly #get: GetToken | undefined;

  constructor(fixed: string | undefined, get: GetToken | undefined) {
    this.#fixed = fixed;
    this.#get = get;
  }

  /** Whether tokens come from `getToken` (and can therefore be refreshed). */
  get refreshable(): boolean {
    return this.#get !== undefined;
  }

  /** The token to present now; rejects when `getToken` throws or returns something other than a non-empty string. */
  async current(): Promise<string | undefined> {
    if (!this.#get) return this.#fixed;
    const token = await this.#get();
    if (typeof token !== 'string' || token === '') throw new TypeError('switchboard client: getToken() must return a non-empty string');
    return token;
  }
}

/**
 * The `exp` (seconds since the epoch) in a token's payload, read without verifying it: the server verifies; the
 * SDK only needs to know when to ask for the next one. JWTs and sb1 tokens both carry base64url JSON as their
 * second dot-separated part. Null for a token without one (the admin token).
 */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(decodeBase64Url(part)) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : null;
  } catch {
    return null;
  }
}

/** Milliseconds from `nowMs` until a token expiring at `exp` should be replaced: 60 s or a fifth of its life before. */
export function refreshDelay(exp: number, nowMs: number): number {
  const left = exp * 1000 - nowMs;
  return Math.max(0, left - Math.min(MAX_REFRESH_MARGIN_MS, left * REFRESH_SHARE));
}

function decodeBase64Url(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
