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
