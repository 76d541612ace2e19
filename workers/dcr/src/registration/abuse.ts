import { invalidTokenError, OAuthError } from "../oauth/oauth-error";
import { sourceDayKey } from "../storage/keys";
import { matchesHash, readBearerToken, sha256Hex } from "./secrets";

/** Seconds a rate-limited client is told to wait (the binding's period). */
export const REGISTER_RETRY_AFTER_SECONDS = 60;
/** Daily counters outlive their day a little, for clock skew between colos. */
export const SOURCE_DAY_TTL_SECONDS = 2 * 24 * 60 * 60;

/** A short, non-reversible handle of a client IP for logs and counters. */
export async function hashSource(ip: string): Promise<string> {
  return (await sha256Hex(`dcr-source:${ip}`)).slice(0, 32);
}

/** Per-IP limit on POST /register through the Workers rate-limiting binding. */
export async function assertWithinRateLimit(limiter: RateLimit, ip: string): Promise<void> {
  const { success } = await limiter.limit({ key: ip });
  if (!success)
    throw new OAuthError("temporarily_unavailable", "too many registrations; retry later", 429, {
      "Retry-After": String(REGISTER_RETRY_AFTER_SECONDS),
    });
}

/** When an initial access token is configured, requires it as a Bearer token. @see RFC 7591 §3 */
export async function assertInitialAccessToken(
  expected: string | undefined,
  authorization: string | undefined,
): Promise<void> {
  if (expected === undefined) return;
  const token = readBearerToken(authorization);
  if (token === undefined || !(await matchesHash(token, await sha256Hex(expected)))) {
    throw invalidTokenError("an initial access token is required to register");
  }
}

/** The UTC day of an epoch-milliseconds time, `yyyy-mm-dd`. */
export function utcDay(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString().slice(0, 10);
}

/**
 * The per-source daily cap. KV is eventually consistent, so the count is approximate; the
 * rate-limiting binding is the hard per-minute limit. `limit` 0 disables the cap.
 */
export async function assertUnderDailyCap(
  kv: KVNamespace,
  key: string,
  limit: number,
): Promise<number> {
  if (limit === 0) return 0;
  const count = Number((await kv.get(key)) ?? "0") || 0;
  if (count >= limit)
    throw new OAuthError(
      "temporarily_unavailable",
      "this source has reached its daily limit of registrations",
      429,
      { "Retry-After": "3600" },
    );
  return count;
}

/** Counts one more registration from a source today. */
export async function countRegistration(
  kv: KVNamespace,
  day: string,
  sourceHash: string,
  previous: number,
): Promise<void> {
  await kv.put(sourceDayKey(day, sourceHash), String(previous + 1), {
    expirationTtl: SOURCE_DAY_TTL_SECONDS,
  });
}

/** One structured audit line; callers pass no secret. */
export function audit(event: Record<string, unknown>): void {
  console.log(JSON.stringify({ audit: "dcr", ...event }));
}
