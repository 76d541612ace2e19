/**
 * The `REGISTRATIONS` KV namespace, shared by workers/dcr (which writes it) and workers/mcp-rs
 * (which reads revocations from it). Key builders live here so that both agree; see docs/storage.md.
 */

/** Name of the KV binding in both workers' wrangler.toml. */
export const REGISTRATIONS_BINDING = "REGISTRATIONS";

/**
 * Access tokens live at most a day in Cognito; a deleted client's tokens are refused that long,
 * after which none of them can still be valid.
 */
export const REVOCATION_TTL_SECONDS = 24 * 60 * 60;

/** A tombstone that workers/dcr writes when it deletes a registration. */
export interface ClientRevocation {
  clientId: string;
  /** Epoch seconds. */
  revokedAt: number;
}

/** Key of the tombstone of a deleted client: `revoked-client:<clientId>`. */
export function revokedClientKey(clientId: string): string {
  return `revoked-client:${clientId}`;
}
