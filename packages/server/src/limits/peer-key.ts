// Who a request counts against (docs/security.md): the token's subject when a verified token names one, else the client
// address. Addresses are normalised so one peer cannot look like many: `::ffff:1.2.3.4` is `1.2.3.4`, and an IPv6
// address counts as its /64 network, the block one host or household is usually given.

/**
 * The key of a peer. `principal` is the verified token's claims, if any; only a non-empty string `sub` is used,
 * so tokens without one (the admin token) count by address.
 */
export function peerKey(remoteAddress: string | undefined, principal?: object | null): string {
  // Prefixed so a subject can never collide with an address.
  if (principal && Object.hasOwn(principal, 'sub')) {
    const sub: unknown = (principal as { sub: unknown }).sub;
    if (typeof sub === 'string' && sub !== '') return `sub:${sub}`;
  }
  return `ip:${normalizeAddress(remoteAddress ?? '')}`;
}

/** `::ffff:a.b.c.d` → `a.b.c.d`; other IPv6 → `xxxx:xxxx:xxxx:xxxx::/64`; anything else unchanged. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address.replace(/%.*$/, ''));
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros; undefined if malformed. */
function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): string[] | undefined => {
    if (part === '') return [];
    const out: string[] = [];
    for (const g of part.split(':')) {
      if (/^\d{1,3}(\.\d{1,3}){3}$/.test(g)) {
        // An IPv4 tail fills the last two groups.
        const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
        out.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
      } else if (/^[0-9a-f]{1,4}$/i.test(g)) {
        out.push(parseInt(g, 16).toString(16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<string>(missing).fill('0'), ...tail];
}
