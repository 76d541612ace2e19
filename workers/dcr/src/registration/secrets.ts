/** Bytes of entropy in a registration access token. */
export const REGISTRATION_ACCESS_TOKEN_BYTES = 32;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** A new registration access token (256 random bits, base64url). */
export function generateRegistrationAccessToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(REGISTRATION_ACCESS_TOKEN_BYTES)));
}

/** Hex SHA-256 of a string. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `value` hashes to `expectedHex`, compared in constant time. */
export async function matchesHash(value: string, expectedHex: string): Promise<boolean> {
  const actual = new TextEncoder().encode(await sha256Hex(value));
  const expected = new TextEncoder().encode(expectedHex);
  if (actual.byteLength !== expected.byteLength) return false;
  return crypto.subtle.timingSafeEqual(actual, expected);
}

/** The token of an `Authorization: Bearer` header, or undefined. @see RFC 6750 §2.1 */
export function readBearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? "");
  return match?.[1];
}

/** Bytes of entropy in a client secret the facade issues. */
export const CLIENT_SECRET_BYTES = 32;

/** A new client secret (256 random bits, base64url). @see RFC 7591 §3.2.1 */
export function generateClientSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(CLIENT_SECRET_BYTES)));
}

/** The prefix of the client ids the facade mints (Cognito's own are 26 letters and digits). */
export const MINTED_CLIENT_ID_PREFIX = "dcr_";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A new client id: {@link MINTED_CLIENT_ID_PREFIX} and 26 base32 characters (130 random bits). */
export function mintClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(26));
  return `${MINTED_CLIENT_ID_PREFIX}${[...bytes].map((b) => BASE32[b % 32]).join("")}`;
}
