// The unit every per-IP limit of the signaling server counts in: one IPv4 address, or one IPv6
// /64. An ISP hands a household a whole /64 (often more), so counting single IPv6 addresses
// would let one peer rotate through 2^64 of them and never meet a limit.
import ipaddr from 'ipaddr.js';

/** IPv6 prefix length treated as one network (one customer's LAN), in bits. */
export const ipv6NetworkPrefixBits = 64;
// 16-bit groups of an IPv6 address that fall inside the prefix.
const prefixGroups = ipv6NetworkPrefixBits / 16;

/**
 * The key for `address`: an IPv4 address in dotted decimal (IPv4-mapped IPv6 counts as its IPv4
 * address), or an IPv6 /64 prefix such as `2001:db8:1:2::/64`. A string that is not an address
 * is its own key, so a broken hook still meets the limits, only less precisely.
 */
export function networkKey(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, prefixGroups);
  const prefix = new ipaddr.IPv6([...groups, ...new Array<number>(8 - prefixGroups).fill(0)]);
  return `${prefix.toString()}/${ipv6NetworkPrefixBits}`;
}
