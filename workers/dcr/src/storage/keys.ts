/** Key builders of the `REGISTRATIONS` namespace owned by this worker (see docs/storage.md). */
export { clientSeenKey, revokedClientKey } from "@mcp-cognito-workers/registrations";

/** Prefix of every registration record. */
export const CLIENT_PREFIX = "client:";

/** Key of a registration record: `client:<clientId>`. */
export function clientKey(clientId: string): string {
  return `${CLIENT_PREFIX}${clientId}`;
}

/** Key of a source's registration count for one UTC day: `source-day:<yyyy-mm-dd>:<sha256(ip)>`. */
export function sourceDayKey(day: string, sourceHash: string): string {
  return `source-day:${day}:${sourceHash}`;
}
