import { base64urlDecode, logEvent } from "@mcp-cognito-workers/http";
import type { ClientRegistration, RegistrationStore } from "../oauth";
import { deriveAesKey, open, seal } from "./envelope";
import { registrationKey } from "./keys";

/** HKDF `info` of the key, derived from CLIENT_STATE_KEY, that encrypts registration records. */
const REGISTRATION_KEY_INFO = "mcp-client registration v1";

/** The derived record keys, by CLIENT_STATE_KEY value (non-extractable CryptoKeys). */
const RECORD_KEYS = new Map<string, Promise<CryptoKey>>();

/** CLIENT_STATE_KEY's 32 bytes; a missing or malformed value is a deployment mistake. */
function clientStateKeyBytes(value: string | undefined): Uint8Array {
  const bytes =
    typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value)
      ? base64urlDecode(value)
      : undefined;
  if (bytes?.byteLength !== 32)
    throw new TypeError(
      "CLIENT_STATE_KEY must be set to the base64url encoding of 32 random bytes (43 characters)",
    );
  return bytes;
}

/**
 * DCR registrations in KV, one per authorization server issuer, each record encrypted with
 * AES-256-GCM under a key derived from CLIENT_STATE_KEY, with its KV key (`registration:<issuer>`)
 * as additional authenticated data. A record that does not decrypt (key rotated, tampered, moved)
 * reads as absent, so the client registers again. Throws `TypeError` if CLIENT_STATE_KEY is
 * missing or malformed.
 */
export function createKvRegistrationStore(
  env: Pick<Env, "CLIENT_STATE" | "CLIENT_STATE_KEY">,
): RegistrationStore {
  const kv = env.CLIENT_STATE;
  const secret = clientStateKeyBytes(env.CLIENT_STATE_KEY);
  const recordKey = () => {
    // Derived once per isolate (and per key, should the var change), not on every request.
    let key = RECORD_KEYS.get(env.CLIENT_STATE_KEY);
    if (!key) {
      key = deriveAesKey(secret, REGISTRATION_KEY_INFO);
      RECORD_KEYS.set(env.CLIENT_STATE_KEY, key);
    }
    return key;
  };
  return {
    async get(issuer) {
      const key = registrationKey(issuer);
      const stored = await kv.get(key);
      if (stored === null) return undefined;
      const plaintext = await open(await recordKey(), stored, key);
      let registration: ClientRegistration | undefined;
      try {
        if (plaintext !== undefined) registration = JSON.parse(plaintext) as ClientRegistration;
      } catch {
        registration = undefined;
      }
      if (registration?.issuer === issuer) return registration;
      // Only the issuer (public) is logged, never the record.
      logEvent("warn", "registration_unreadable", { issuer });
      return undefined;
    },
    async put(registration) {
      const key = registrationKey(registration.issuer);
      await kv.put(key, await seal(await recordKey(), JSON.stringify(registration), key));
    },
    delete: (issuer) => kv.delete(registrationKey(issuer)),
  };
}
