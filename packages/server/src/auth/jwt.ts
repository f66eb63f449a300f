// JWT access tokens (docs/protocol.md, "Auth"): HS256 signed with the server secret (what `switchboard token create`
// and `POST /api/tokens` mint), or RS256/ES256 signed by another service whose public key the server was given with
// --jwt-public-key. Algorithms are pinned per key, so `none` or an HS256 token "signed" with the public key never
// verifies. Claims: `sub`, `exp` (required), `role`, and the optional `topics` and `instances` scopes.

import { createPublicKey } from 'node:crypto';
import { SignJWT, errors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { isValidPattern } from '@switchboard/protocol';
import { isRole, type Principal, type Role } from './principal';
import { isInstanceGlob } from './scope';

export interface MintOptions {
  role: Role;
  ttlSeconds: number;
  sub?: string;
  topics?: readonly string[];
  instances?: readonly string[];
  nowMs?: number;
}

/** Most entries a `topics` or `instances` claim may hold; a bigger claim is refused rather than matched slowly. */
const MAX_CLAIM_ENTRIES = 256;

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Mint an HS256 JWT signed with the server secret. */
export async function mintToken(secret: string, options: MintOptions): Promise<string> {
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const claims: JWTPayload = { role: options.role };
  if (options.topics) claims.topics = [...options.topics];
  if (options.instances) claims.instances = [...options.instances];
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + Math.max(1, Math.floor(options.ttlSeconds)));
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  return jwt.sign(secretKey(secret));
}

export type JwtCheck = { ok: true; principal: Principal } | { ok: false; reason: 'invalid' | 'expired' };

/** The verification keys of one server: the secret (HS256) and, optionally, another service's public key. */
export class JwtVerifier {
  private constructor(
    private readonly secret: Uint8Array | undefined,
    private readonly publicKey: { key: CryptoKey; alg: 'RS256' | 'ES256' } | undefined,
    private readonly clockToleranceSeconds: number,
  ) {}

  /** Throws a plain Error naming the problem when the PEM is not an RSA or P-256 SPKI public key. */
  static async create(secret: string | undefined, publicKeyPem: string | undefined, clockToleranceSeconds: number): Promise<JwtVerifier> {
    let publicKey: { key: CryptoKey; alg: 'RS256' | 'ES256' } | undefined;
    if (publicKeyPem !== undefined) {
      const alg = algorithmOf(publicKeyPem);
      publicKey = { key: await importSPKI(publicKeyPem, alg), alg };
    }
    return new JwtVerifier(secret ? secretKey(secret) : undefined, publicKey, clockToleranceSeconds);
  }

  /** The seconds a token is still accepted after its `exp`. */
  get toleranceSeconds(): number {
    return this.clockToleranceSeconds;
  }

  async verify(token: string, nowMs = Date.now()): Promise<JwtCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keyFor(header.alg), {
        algorithms: this.algorithms(),
        clockTolerance: this.clockToleranceSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
    const principal = principalOf(payload);
    return principal ? { ok: true, principal } : { ok: false, reason: 'invalid' };
  }

  private algorithms(): string[] {
    const out: string[] = [];
    if (this.secret) out.push('HS256');
    if (this.publicKey) out.push(this.publicKey.alg);
    return out;
  }

  private keyFor(alg: string | undefined): Uint8Array | CryptoKey {
    if (alg === 'HS256' && this.secret) return this.secret;
    if (this.publicKey && alg === this.publicKey.alg) return this.publicKey.key;
    // Unreachable after the `algorithms` check; refuse rather than guess a key.
    throw new errors.JOSEAlgNotAllowed(`alg ${String(alg)} is not accepted`);
  }
}

function algorithmOf(pem: string): 'RS256' | 'ES256' {
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('--jwt-public-key: not a PEM public key (expected "-----BEGIN PUBLIC KEY-----", SPKI)');
  }
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`--jwt-public-key: a ${key.asymmetricKeyType ?? 'unknown'} key is not supported; use an RSA (RS256) or P-256 (ES256) key`);
}

/** The principal a verified payload names, or null when a claim is malformed (the token is then refused). */
export function principalOf(payload: JWTPayload): Principal | null {
  if (!isRole(payload.role) || typeof payload.exp !== 'number') return null;
  const principal: Principal = { kind: 'jwt', role: payload.role, exp: payload.exp };
  if (payload.sub !== undefined) {
    if (typeof payload.sub !== 'string' || payload.sub.length > 200) return null;
    principal.sub = payload.sub;
  }
  if (payload.topics !== undefined) {
    if (!isList(payload.topics, isValidPattern)) return null;
    principal.topics = payload.topics;
  }
  if (payload.instances !== undefined) {
    if (!isList(payload.instances, isInstanceGlob)) return null;
    principal.instances = payload.instances;
  }
  return principal;
}

function isList(value: unknown, valid: (v: unknown) => boolean): value is string[] {
  return Array.isArray(value) && value.length <= MAX_CLAIM_ENTRIES && value.every(valid);
}
