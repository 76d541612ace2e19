// Encryption at rest for CLIENT_STATE: AES-256-GCM (WebCrypto) in a small versioned envelope.
// See docs/storage.md.

import { base64urlDecode, base64urlEncode } from "@mcp-cognito-workers/http";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Envelope version 1: `{"v":1,"iv":"<12 bytes, b64url>","ct":"<ciphertext and tag, b64url>"}`. */
export interface SealedV1 {
  v: 1;
  iv: string;
  ct: string;
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
  const envelope: SealedV1 = {
    v: 1,
    iv: base64urlEncode(iv),
    ct: base64urlEncode(new Uint8Array(ct)),
  };
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
    const iv = base64urlDecode(envelope.iv);
    const ct = base64urlDecode(envelope.ct);
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
