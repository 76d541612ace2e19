// Encryption at rest for CLIENT_STATE: AES-256-GCM (WebCrypto) in a small versioned envelope,
// and the SHA-256 that keeps cookie values out of KV keys. See docs/storage.md.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Envelope version 1: `{"v":1,"iv":"<12 bytes, b64url>","ct":"<ciphertext and tag, b64url>"}`. */
export interface SealedV1 {
  v: 1;
  iv: string;
  ct: string;
}

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** Decodes unpadded base64url; undefined if `text` is not base64url. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** base64url(SHA-256(UTF-8 of `text`)): 43 characters. */
export async function sha256Base64Url(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

/** An AES-256-GCM key derived with HKDF-SHA-256 (empty salt) from `secret` for `info`. */
export async function deriveAesKey(secret: Uint8Array, info: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(info) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Encrypts `plaintext` with a fresh 96-bit IV, `aad` authenticated; returns the envelope's JSON. */
export async function seal(key: CryptoKey, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
    key,
    encoder.encode(plaintext),
  );
  const envelope: SealedV1 = { v: 1, iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) };
  return JSON.stringify(envelope);
}

/**
 * Opens an envelope made by {@link seal} with the same key and `aad`. Anything else (another
 * key or aad, a tampered or truncated record, not an envelope at all) gives undefined.
 */
export async function open(
  key: CryptoKey,
  stored: string | null,
  aad: string,
): Promise<string | undefined> {
  if (stored === null) return undefined;
  try {
    const envelope = JSON.parse(stored) as Partial<SealedV1> | null;
    if (envelope?.v !== 1 || typeof envelope.iv !== "string" || typeof envelope.ct !== "string")
      return undefined;
    const iv = fromBase64Url(envelope.iv);
    const ct = fromBase64Url(envelope.ct);
    if (iv?.byteLength !== 12 || !ct || ct.byteLength < 16) return undefined;
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
      key,
      ct,
    );
    return decoder.decode(plaintext);
  } catch {
    return undefined;
  }
}
