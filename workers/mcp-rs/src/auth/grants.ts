import { type GrantRecord, grantKey } from "@mcp-cognito-workers/registrations";

/**
 * How long a KV read of a grant record (or of its absence) is cached at the edge. A record is
 * written before its sign-in's first tokens leave workers/dcr and never changes, so only its
 * absence, read elsewhere before it arrived, is worth reading again soon.
 */
export const GRANT_CACHE_TTL_SECONDS = 60;
/** How long one isolate remembers that a sign-in has no grant record. */
export const GRANT_ABSENT_MEMO_SECONDS = 10;
/** How long one isolate remembers a sign-in's registration (the record never changes). */
export const GRANT_MEMO_SECONDS = 60 * 60;
/** Most sign-ins one isolate remembers; the memo is cleared when it grows past this. */
const GRANT_MEMO_MAX_ENTRIES = 10_000;

/** Options of {@link GrantLookup}. */
export interface GrantLookupOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Which registration a sign-in (its `origin_jti`) was made for, when the tokens' `client_id` is a
 * shared app client's: workers/dcr writes `grant:<origin_jti>` before it hands out the sign-in's
 * tokens. Undefined for a sign-in it wrote none for (the static client, registrations with their
 * own app client), whose `client_id` names the client itself.
 */
export class GrantLookup {
  readonly #options: GrantLookupOptions;
  readonly #memo = new Map<string, { clientId: string | undefined; until: number }>();

  constructor(options: GrantLookupOptions) {
    this.#options = options;
  }

  /** The registration's client id, or undefined. */
  async registrationOf(registrations: KVNamespace, originJti: string): Promise<string | undefined> {
    const now = this.#options.now();
    const known = this.#memo.get(originJti);
    if (known && known.until > now) return known.clientId;
    const record = await registrations.get<GrantRecord>(grantKey(originJti), {
      type: "json",
      cacheTtl: GRANT_CACHE_TTL_SECONDS,
    });
    const clientId = typeof record?.clientId === "string" ? record.clientId : undefined;
    if (this.#memo.size >= GRANT_MEMO_MAX_ENTRIES) this.#memo.clear();
    const seconds = clientId === undefined ? GRANT_ABSENT_MEMO_SECONDS : GRANT_MEMO_SECONDS;
    this.#memo.set(originJti, { clientId, until: now + seconds * 1000 });
    return clientId;
  }
}
