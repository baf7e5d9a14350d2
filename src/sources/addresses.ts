import ipaddr from 'ipaddr.js';

/** Which addresses Herald may connect to (the SSRF guard's rule; sources/http.ts applies it before and after connecting). */
export type AddressClass = 'public' | 'private' | 'link-local';

/** Cloud metadata services outside the link-local ranges: AWS over IPv6 (fd00:ec2::254), Alibaba Cloud (100.100.100.200). */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);

/**
 * Classifies an IP address (IPv4, IPv6, bracketed or not). IPv6 forms that carry an IPv4 address
 * are judged by that address: IPv4-mapped and IPv4-compatible (RFC 4291 §2.5.5), IPv4-translated
 * (RFC 6145), NAT64 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056). Anything that does not
 * parse is 'private', so it is refused by default.
 */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'private';
  }
  const ip = parsed.kind() === 'ipv6' ? (embeddedIPv4(parsed as ipaddr.IPv6) ?? parsed) : parsed;
  if (METADATA_ADDRESSES.has(ip.toNormalizedString()) || METADATA_ADDRESSES.has(ip.toString())) return 'link-local';
  const range = ip.range();
  if (range === 'linkLocal') return 'link-local';
  return range === 'unicast' ? 'public' : 'private';
}

function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return v4(p[6]!, p[7]!); // ::ffff:a.b.c.d, mapped
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return v4(p[6]!, p[7]!); // ::ffff:0:a.b.c.d, translated
  if (zeros(0, 6) && !(p[6] === 0 && p[7]! <= 1)) return v4(p[6]!, p[7]!); // ::a.b.c.d, compatible (not :: or ::1)
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return v4(p[6]!, p[7]!); // NAT64 well-known prefix
  if (p[0] === 0x2002) return v4(p[1]!, p[2]!); // 6to4
  return null;
}

/**
 * True when a request may connect to `address`: a public address always; loopback, private and the
 * other non-public ranges when `allowPrivate`; link-local (169.254.0.0/16, fe80::/10) and cloud
 * metadata addresses (fd00:ec2::254, 100.100.100.200), in any IPv6 form that carries them, never:
 * no setting opens them, as an instance's credentials answer there.
 */
export function isAddressAllowed(address: string, allowPrivate: boolean): boolean {
  const kind = classifyAddress(address);
  if (kind === 'public') return true;
  return kind === 'private' && allowPrivate;
}

/**
 * Why a feed address may not be added (by /feeds add, /feeds import or `herald feeds import`), or
 * null when it may: the scheme must be http or https; a host written as an IP address must pass
 * isAddressAllowed (link-local and metadata never; loopback and private only when `allowPrivate`).
 * Host names are judged when they are resolved, at each fetch (sources/http.ts).
 */
export function feedAddressProblem(url: string, allowPrivate: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an address';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'not http or https';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(host)) return host === 'localhost' && !allowPrivate ? 'a private address' : null;
  if (isAddressAllowed(host, allowPrivate)) return null;
  return classifyAddress(host) === 'link-local' ? 'a link-local or cloud metadata address' : 'a private address';
}
