// Sealed values of the front door: AES-256-GCM under keys derived (HKDF-SHA-256) from
// FRONT_DOOR_KEY, one key per purpose, the purpose also bound as associated data. A sealed value
// carries its own expiry; an expired, tampered or foreign value opens to undefined. A value may
// also be bound to a context (a client id, an app client id): it then opens only in that context.

import { base64urlDecode, base64urlEncode } from "@mcp-cognito-workers/http";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a sealed value is for; each purpose has its own key, so one can never pass for another. */
export type SealPurpose =
  | "transaction"
  | "code"
  | "consent"
  /** A Cognito refresh token, bound to the client it was issued to. */
  | "refresh"
  /** The Cognito secret of a shared app client, bound to its app client id (kept at rest). */
  | "app-client-secret";

const keyCache = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string, purpose: SealPurpose): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(0),
            info: encoder.encode(`mcp-cognito-workers front door ${purpose} v1`),
          },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** The sealing key material and clock. */
export interface SealOptions {
  secret: string;
  /** Epoch milliseconds. */
  now: () => number;
  /**
   * What the value is bound to, as associated data beside the purpose: it opens only with the
   * same context (e.g. the client id a refresh token was issued to).
   */
  context?: string;
}

/** The additional authenticated data: the purpose, and the context when there is one. */
function associatedData(purpose: SealPurpose, options: SealOptions): Uint8Array {
  return encoder.encode(
    options.context === undefined ? purpose : `${purpose}\u0000${options.context}`,
  );
}

interface Envelope<T> {
  /** Expiry, epoch seconds. */
  exp: number;
  body: T;
}

/** Seals `body` for `purpose`, valid for `ttlSeconds`: `<iv>.<ciphertext>` in base64url. */
export async function sealValue<T>(
  purpose: SealPurpose,
  body: T,
  ttlSeconds: number,
  options: SealOptions,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const envelope: Envelope<T> = { exp: Math.floor(options.now() / 1000) + ttlSeconds, body };
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: associatedData(purpose, options) },
    await keyFor(options.secret, purpose),
    encoder.encode(JSON.stringify(envelope)),
  );
  return `${base64urlEncode(iv)}.${base64urlEncode(ct)}`;
}

/** Longest sealed value accepted for opening (bounds the work an attacker can ask for). */
export const MAX_SEALED_LENGTH = 8192;

/**
 * Opens a value made by {@link sealValue} for the same purpose, secret and context; undefined when
 * it is expired, tampered, truncated, sealed for another purpose or context, or not a sealed value
 * at all.
 */
export async function openValue<T>(
  purpose: SealPurpose,
  sealed: string | undefined | null,
  options: SealOptions,
): Promise<T | undefined> {
  if (typeof sealed !== "string" || sealed.length > MAX_SEALED_LENGTH) return undefined;
  const [ivText, ctText, extra] = sealed.split(".");
  if (ivText === undefined || ctText === undefined || extra !== undefined) return undefined;
  const iv = base64urlDecode(ivText);
  const ct = base64urlDecode(ctText);
  if (!iv || !ct || iv.byteLength !== 12 || ct.byteLength < 16) return undefined;
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: associatedData(purpose, options) },
      await keyFor(options.secret, purpose),
      ct,
    );
  } catch {
    return undefined;
  }
  let envelope: Envelope<T>;
  try {
    envelope = JSON.parse(decoder.decode(plaintext)) as Envelope<T>;
  } catch {
    return undefined;
  }
  if (typeof envelope?.exp !== "number" || envelope.exp <= Math.floor(options.now() / 1000))
    return undefined;
  return envelope.body;
}
