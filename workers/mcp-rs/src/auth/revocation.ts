import { revokedClientKey } from "@mcp-cognito-workers/registrations";

/**
 * How long a KV read of a tombstone (or of its absence) is cached at the edge. A deleted client's
 * tokens stop working within about this long (plus {@link REVOCATION_MEMO_SECONDS}) after the
 * tombstone is visible where they are used.
 */
export const REVOCATION_CACHE_TTL_SECONDS = 60;
/** How long one isolate reuses an answer without asking KV again (saves a KV read per request). */
export const REVOCATION_MEMO_SECONDS = 10;
/** Most clients one isolate remembers answers for; the memo is cleared when it grows past this. */
const REVOCATION_MEMO_MAX_ENTRIES = 10_000;

/** Options of {@link RevocationCheck}. */
export interface RevocationCheckOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Whether workers/dcr deleted a client's registration (its tombstone is in KV), read with a
 * {@link REVOCATION_CACHE_TTL_SECONDS} edge cache and remembered for {@link REVOCATION_MEMO_SECONDS}
 * per isolate: a revocation takes effect within about 70 s where tokens are used.
 */
export class RevocationCheck {
  readonly #options: RevocationCheckOptions;
  readonly #memo = new Map<string, { revoked: boolean; until: number }>();

  constructor(options: RevocationCheckOptions) {
    this.#options = options;
  }

  /** Whether the client's tokens must be refused. */
  async isRevoked(registrations: KVNamespace, clientId: string): Promise<boolean> {
    const now = this.#options.now();
    const known = this.#memo.get(clientId);
    if (known && known.until > now) return known.revoked;
    const tombstone = await registrations.get(revokedClientKey(clientId), {
      cacheTtl: REVOCATION_CACHE_TTL_SECONDS,
    });
    if (this.#memo.size >= REVOCATION_MEMO_MAX_ENTRIES) this.#memo.clear();
    const revoked = tombstone !== null;
    this.#memo.set(clientId, { revoked, until: now + REVOCATION_MEMO_SECONDS * 1000 });
    return revoked;
  }
}
