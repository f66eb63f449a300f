import { describe, expect, it } from 'vitest';
import { normalizeAddress, peerKey } from '../src/limits/peer-key';

describe('peerKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not-an-address', 'not-an-address'],
    ['1:2:3', '1:2:3'],
  ])('normalises %s to %s', (address, expected) => {
    expect(normalizeAddress(address)).toBe(expected);
  });

  it('counts the addresses of one IPv6 /64 as one peer and other /64s apart', () => {
    expect(peerKey('2001:db8:1:2::a')).toBe(peerKey('2001:db8:1:2:ffff::b'));
    expect(peerKey('2001:db8:1:2::a')).not.toBe(peerKey('2001:db8:1:3::a'));
  });

  it('uses the token subject when there is one, else the address', () => {
    expect(peerKey('10.0.0.1', { role: 'write', sub: 'alice' })).toBe('sub:alice');
    expect(peerKey('10.0.0.2', { sub: 'alice' })).toBe(peerKey('10.0.0.1', { sub: 'alice' }));
    expect(peerKey('10.0.0.1', { role: 'write' })).toBe('ip:10.0.0.1');
    expect(peerKey('10.0.0.1', { sub: '' })).toBe('ip:10.0.0.1');
    expect(peerKey('10.0.0.1', { sub: 42 })).toBe('ip:10.0.0.1');
    expect(peerKey('10.0.0.1', null)).toBe('ip:10.0.0.1');
    expect(peerKey(undefined)).toBe('ip:');
  });

  it('reads only an own `sub`, never one inherited from a prototype', () => {
    expect(peerKey('10.0.0.1', Object.create({ sub: 'inherited' }) as object)).toBe('ip:10.0.0.1');
  });

  it('keeps a subject from colliding with an address', () => {
    expect(peerKey('x', { sub: '127.0.0.1' })).not.toBe(peerKey('127.0.0.1'));
  });
});
