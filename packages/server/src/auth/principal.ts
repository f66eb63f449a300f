// Who a request or connection acts as, and the four roles (docs/protocol.md, "Auth"): each role includes the ones
// before it, so `control` may also publish and `admin` may do everything. A control token can already run any
// command, and a command can publish, so a `control` that could not publish would only look narrower.

export const ROLES = ['read', 'publish', 'control', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a holder of `have` may do what needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export interface Principal {
  /** The JWT `sub` claim: who acts, for the records that name an actor. Absent for sb1 and the admin token. */
  sub?: string;
  role: Role;
  /** Expiry, seconds since the epoch; absent for the admin token. */
  exp?: number;
  /** Topic patterns the holder may read and publish; absent means every topic. */
  topics?: readonly string[];
  /** Instance names or `*` globs the holder may control; absent means every instance. */
  instances?: readonly string[];
  /** Where the credential came from; never the credential itself. */
  kind: 'admin' | 'legacy' | 'jwt';
}
