import { IPV6_SOURCE_PREFIX_BITS, parseIpv4, parseIpv6 } from "../registration/source";

/** Key builders of the `REGISTRATIONS` namespace owned by this worker (see docs/storage.md). */
export { clientSeenKey, grantKey, revokedClientKey } from "@mcp-cognito-workers/registrations";

/** Prefix of every registration record. */
export const CLIENT_PREFIX = "client:";

/** Key of a registration record: `client:<clientId>`. */
export function clientKey(clientId: string): string {
  return `${CLIENT_PREFIX}${clientId}`;
}

/** Prefix of every CIMD client record. */
export const CIMD_CLIENT_PREFIX = "cimd-client:";

/** Key of the record of a CIMD URL that has been through `/authorize`: `cimd-client:<hex sha256(url)>`. */
export function cimdClientKey(urlHashHex: string): string {
  return `${CIMD_CLIENT_PREFIX}${urlHashHex}`;
}

/** KV key of a cached CIMD document: `cimd-doc:<hex sha256 of the URL>`. */
export function cimdDocumentKey(urlHashHex: string): string {
  return `cimd-doc:${urlHashHex}`;
}

// Not a KV key: the key of a request's source in the rate limiters and, hashed, in the daily caps
// of the REGISTRATION_LIMITS Durable Object.

/**
 * The rate-limit and daily-cap key of a client address (`CF-Connecting-IP`): an IPv4 address as
 * itself (`192.0.2.1`); an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as that IPv4 address;
 * any other IPv6 address as its /64 (`2001:db8:0:1::/64`, each group in lower-case hex without
 * leading zeros). Anything else (no header in local development) is kept as it is, trimmed.
 */
export function sourceKey(ip: string): string {
  const text = ip.trim();
  const ipv4 = parseIpv4(text);
  if (ipv4) return ipv4.join(".");
  const groups = text.includes(":") ? parseIpv6(text) : undefined;
  if (!groups) return text.slice(0, 100);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff)
    return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join(".");
  return `${groups
    .slice(0, IPV6_SOURCE_PREFIX_BITS / 16)
    .map((group) => group.toString(16))
    .join(":")}::/${IPV6_SOURCE_PREFIX_BITS}`;
}
