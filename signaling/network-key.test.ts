import { describe, expect, it } from 'vitest';
import { networkKey } from './network-key.ts';

describe('networkKey', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::ffff:c633:6407', '198.51.100.7'],
    ['127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0009', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::1', '::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(networkKey(address)).toBe(key);
  });

  it('keeps addresses in different networks apart', () => {
    expect(networkKey('198.51.100.7')).not.toBe(networkKey('198.51.100.8'));
    expect(networkKey('2001:db8:1:2::1')).not.toBe(networkKey('2001:db8:1:3::1'));
    // An IPv6 address whose first 32 bits look like an IPv4 address is still IPv6.
    expect(networkKey('c633:6407::1')).not.toBe(networkKey('198.51.100.7'));
  });

  it('keys a string that is not an address on itself', () => {
    expect(networkKey('unknown')).toBe('unknown');
  });
});
