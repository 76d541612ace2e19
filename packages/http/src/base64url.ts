import { base64url } from "jose";

/** Unpadded base64url of `bytes`. @see RFC 4648 §5 */
export function base64urlEncode(bytes: Uint8Array | ArrayBuffer): string {
  return base64url.encode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
}

/**
 * The bytes of unpadded base64url `text`; undefined for anything else (padding, whitespace, the
 * `+` and `/` of plain base64, an impossible length).
 * @see RFC 4648 §5, RFC 7515 §2
 */
export function base64urlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    return base64url.decode(text);
  } catch {
    return undefined;
  }
}

/** A random base64url value of `bytes` random bytes (32 by default: 256 bits, 43 characters). */
export function randomToken(bytes = 32): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** base64url(SHA-256(UTF-8 of `text`)): 43 characters; how a secret or id is keyed in storage. */
export async function sha256Base64url(text: string): Promise<string> {
  return base64urlEncode(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
