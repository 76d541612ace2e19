import type { Principal } from "./verify-token";

/** Longest time one verification of a token is reused, however long the token still lives. */
export const VERIFIED_TOKEN_REUSE_SECONDS = 300;
/** Most tokens one isolate remembers; past this, the one remembered first is forgotten. */
export const VERIFIED_TOKENS_MAX_ENTRIES = 1000;

/** What a verification was made against; a token is reused only where all of it is unchanged. */
export interface VerificationScope {
  issuer: string;
  resource: string;
  requireAudience: boolean;
}

/** The key set a verification used, as {@link VerifiedTokenCache} compares it. */
export interface KeySetStamp {
  /** Changes whenever new keys replace the old. */
  version: number;
  /** Epoch ms after which the key set is due to be fetched again. */
  refreshDueAt: number;
}

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Defaults to {@link VERIFIED_TOKENS_MAX_ENTRIES}. */
  maxEntries?: number;
}

interface Entry {
  principal: Principal;
  until: number;
  keySetVersion: number;
}

/**
 * Access tokens this isolate has verified, so that a client sending the same token again is not
 * verified again: keyed by a SHA-256 of the token and of what it was verified against (never the
 * token itself), reused for at most {@link VERIFIED_TOKEN_REUSE_SECONDS}, never at or past the
 * token's `exp`, never once the key set has changed or is due to be fetched again, and bounded to
 * {@link VERIFIED_TOKENS_MAX_ENTRIES}. Only successes are kept; the checks made per request (the
 * revocation tombstone, scopes) are not part of it.
 */
export class VerifiedTokenCache {
  readonly #options: VerifiedTokenCacheOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: VerifiedTokenCacheOptions) {
    this.#options = options;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whom a token was verified as, if that verification may still be reused. */
  get(key: string, keySet: KeySetStamp): Principal | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.#options.now() || entry.keySetVersion !== keySet.version) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a token verified with the key set `keySet`; returns the principal, frozen. */
  set(key: string, principal: Principal, keySet: KeySetStamp): Principal {
    const frozen = freezePrincipal(principal);
    const now = this.#options.now();
    const until = Math.min(
      principal.expiresAt * 1000,
      now + VERIFIED_TOKEN_REUSE_SECONDS * 1000,
      keySet.refreshDueAt,
    );
    if (until <= now) return frozen;
    this.#entries.delete(key);
    const maxEntries = this.#options.maxEntries ?? VERIFIED_TOKENS_MAX_ENTRIES;
    while (this.#entries.size >= maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { principal: frozen, until, keySetVersion: keySet.version });
    return frozen;
  }
}

/** The cache key of a token verified against `scope`: SHA-256 of both, base64. */
export async function buildVerifiedTokenKey(
  token: string,
  scope: VerificationScope,
): Promise<string> {
  const input = JSON.stringify([scope.issuer, scope.resource, scope.requireAudience, token]);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input)),
  );
  return btoa(String.fromCharCode(...digest));
}

/** One principal is handed to every request that reuses it: none may change it. */
function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.scopes);
  Object.freeze(principal.audience);
  return Object.freeze(principal);
}
