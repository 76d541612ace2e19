import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { PoolStore } from "../store/pool-store";
import type { KeySet, SigningKey } from "../store/records";

/** Older keys stay published this many at most after a rotation, newest first. */
const RETIRED_KEYS_KEPT = 4;

/** The kinds of token, each signed by its own key as Cognito does. */
export type KeyUse = "access" | "id";

/** Options of {@link KeyRing.rotate}. */
export interface RotateOptions {
  /** Drop the old keys from the JWKS at once instead of keeping them published. */
  dropOld?: boolean;
}

/** The pool's RS256 signing keys: made once, kept in storage, rotated on demand. */
export class KeyRing {
  private readonly imported = new Map<string, CryptoKey>();

  constructor(private readonly store: PoolStore) {}

  /** Makes the keys if there are none yet. */
  async ensure(): Promise<void> {
    if (this.store.getKeys() !== undefined) return;
    this.store.putKeys({ access: await newKey(), id: await newKey(), retired: [] });
  }

  /** Makes new access and ID keys; the old ones stay in the JWKS unless `dropOld`. */
  async rotate(options: RotateOptions = {}): Promise<KeySet> {
    const current = this.current();
    const retired = options.dropOld
      ? []
      : [current.access, current.id, ...current.retired].slice(0, RETIRED_KEYS_KEPT);
    const next = { access: await newKey(), id: await newKey(), retired };
    this.store.putKeys(next);
    return next;
  }

  /** The JSON Web Key Set: public keys only, current ones first. */
  jwks(): { keys: JWK[] } {
    const { access, id, retired } = this.current();
    return { keys: [id, access, ...retired].map((key) => key.publicJwk) };
  }

  /** The private key and `kid` that sign tokens of one kind. */
  async signingKey(use: KeyUse): Promise<{ kid: string; key: CryptoKey }> {
    const entry = this.current()[use];
    let key = this.imported.get(entry.kid);
    if (key === undefined) {
      key = (await importJWK(entry.privateJwk, "RS256")) as CryptoKey;
      this.imported.set(entry.kid, key);
    }
    return { kid: entry.kid, key };
  }

  private current(): KeySet {
    const keys = this.store.getKeys();
    if (keys === undefined) throw new TypeError("signing keys are missing: call ensure() first");
    return keys;
  }
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  // Cognito's kids are base64 of 32 bytes.
  const kid = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    privateJwk: { ...privateJwk, kid, alg: "RS256" },
    publicJwk: { alg: "RS256", e: publicJwk.e, kid, kty: "RSA", n: publicJwk.n, use: "sig" },
  };
}
