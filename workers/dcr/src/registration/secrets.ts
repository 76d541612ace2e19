import { timingSafeEqual } from "@mcp-cognito-workers/http";

/** Bytes of entropy in a registration access token (`randomToken` of it: 256 bits, base64url). */
export const REGISTRATION_ACCESS_TOKEN_BYTES = 32;

/** Hex SHA-256 of a string. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `value` hashes to `expectedHex`, compared in constant time. */
export async function matchesHash(value: string, expectedHex: string): Promise<boolean> {
  return timingSafeEqual(await sha256Hex(value), expectedHex);
}

/** Bytes of entropy in a client secret the facade issues (as for the registration access token). @see RFC 7591 §3.2.1 */
export const CLIENT_SECRET_BYTES = 32;

/** The prefix of the client ids the facade mints (Cognito's own are 26 letters and digits). */
export const MINTED_CLIENT_ID_PREFIX = "dcr_";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A new client id: {@link MINTED_CLIENT_ID_PREFIX} and 26 base32 characters (130 random bits). */
export function mintClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(26));
  return `${MINTED_CLIENT_ID_PREFIX}${[...bytes].map((b) => BASE32[b % 32]).join("")}`;
}

/** Longest client id looked up (Cognito's are 26 characters; KV keys end at 512 bytes). */
export const MAX_CLIENT_ID_LENGTH = 128;

/** Whether a value can be a client id this facade issued (Cognito's: letters and digits). */
export function isClientIdShape(clientId: string): boolean {
  return clientId.length <= MAX_CLIENT_ID_LENGTH && /^[\w-]+$/.test(clientId);
}
