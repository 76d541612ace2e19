import { type ClientRevocation, REVOCATION_TTL_SECONDS } from "@mcp-cognito-workers/registrations";
import { CognitoError } from "../cognito/client";
import { clientKey, clientSeenKey, revokedClientKey } from "../storage/keys";

/** Deletes the record, the use marker, and leaves the tombstone workers/mcp-rs reads. */
export async function removeRegistration(clientId: string, kv: KVNamespace, nowMs: number) {
  const revocation: ClientRevocation = { clientId, revokedAt: Math.floor(nowMs / 1000) };
  await kv.put(revokedClientKey(clientId), JSON.stringify(revocation), {
    expirationTtl: REVOCATION_TTL_SECONDS,
  });
  await kv.delete(clientKey(clientId));
  await kv.delete(clientSeenKey(clientId));
}

/** Whether Cognito answered that the app client does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof CognitoError && error.type === "ResourceNotFoundException";
}
