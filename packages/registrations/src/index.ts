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

/**
 * When a client was last seen using a token, written by workers/mcp-rs at most once per
 * {@link CLIENT_SEEN_WRITE_INTERVAL_SECONDS} per client (as the value and as KV list metadata), and
 * read by workers/dcr's stale-client cleanup.
 */
export interface ClientSeen {
  clientId: string;
  /** Epoch seconds. */
  seenAt: number;
}

/** The least time between two writes of one client's {@link ClientSeen} marker. */
export const CLIENT_SEEN_WRITE_INTERVAL_SECONDS = 24 * 60 * 60;

/** Key of a client's last-use marker: `client-seen:<clientId>`. */
export function clientSeenKey(clientId: string): string {
  return `client-seen:${clientId}`;
}

/**
 * Who a Cognito sign-in (its `origin_jti`, which every token descending from it carries) was made
 * for, when that is not the tokens' `client_id`: a registration served by a shared app client.
 * Written by workers/dcr when its `/token` hands out the sign-in's first tokens; read by
 * workers/mcp-rs, which refuses the tokens once the registration's tombstone is written.
 */
export interface GrantRecord {
  /** The registration's client id (never a shared app client's). */
  clientId: string;
  /** Epoch seconds of the write. */
  issuedAt: number;
}

/**
 * How long a grant record lives: Cognito's refresh tokens live 30 days (its default, which the
 * facade's app clients keep), and the record is written again when a refresh rotates past a day.
 */
export const GRANT_TTL_SECONDS = 31 * 24 * 60 * 60;

/** The shape of an `origin_jti` that may become a KV key (Cognito's are UUIDs). */
export function isOriginJtiShape(value: unknown): value is string {
  return typeof value === "string" && /^[\w-]{1,128}$/.test(value);
}

/** Key of a sign-in's grant record: `grant:<origin_jti>`. */
export function grantKey(originJti: string): string {
  return `grant:${originJti}`;
}
