import { extractBearerToken, OAuthError } from "@mcp-cognito-workers/http";
import { invalidTokenError } from "../http/errors";
import { matchesHash, sha256Hex } from "./secrets";

/** Seconds a rate-limited client is told to wait (the bindings' period). */
export const REGISTER_RETRY_AFTER_SECONDS = 60;

/** A short, non-reversible handle of a source (`sourceKey` in storage/keys.ts) for logs and caps. */
export async function hashSource(source: string): Promise<string> {
  return (await sha256Hex(`dcr-source:${source}`)).slice(0, 32);
}

/**
 * Per-source limit on app-client creation (POST /register, a CIMD client's first use) through the
 * Workers rate-limiting binding; `source` is an IPv4 address or IPv6 /64 (`sourceKey`).
 */
export async function assertWithinRateLimit(limiter: RateLimit, source: string): Promise<void> {
  const { success } = await limiter.limit({ key: source });
  if (!success)
    throw new OAuthError("temporarily_unavailable", "too many registrations; retry later", 429, {
      headers: { "Retry-After": String(REGISTER_RETRY_AFTER_SECONDS) },
    });
}

/** Per-client limit on the RFC 7592 endpoints, keyed by client id, after authentication. */
export async function assertWithinManagementRateLimit(
  limiter: RateLimit,
  clientId: string,
): Promise<void> {
  const { success } = await limiter.limit({ key: clientId });
  if (!success)
    throw new OAuthError(
      "temporarily_unavailable",
      "too many management requests for this client; retry later",
      429,
      { headers: { "Retry-After": String(REGISTER_RETRY_AFTER_SECONDS) } },
    );
}

/** When an initial access token is configured, requires it as a Bearer token. @see RFC 7591 §3 */
export async function assertInitialAccessToken(
  expected: string | undefined,
  authorization: string | undefined,
): Promise<void> {
  if (expected === undefined) return;
  const token = extractBearerToken(authorization);
  if (token === undefined || !(await matchesHash(token, await sha256Hex(expected)))) {
    throw invalidTokenError("an initial access token is required to register");
  }
}

/** The UTC day of an epoch-milliseconds time, `yyyy-mm-dd`. */
export function utcDay(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString().slice(0, 10);
}

/** Seconds from an epoch-milliseconds time to the next UTC midnight (at least 1). */
export function secondsUntilNextUtcDay(epochMilliseconds: number): number {
  const day = 24 * 60 * 60 * 1000;
  return Math.max(1, Math.ceil((day - (epochMilliseconds % day)) / 1000));
}

/** One structured audit line; callers pass no secret. */
export function audit(event: Record<string, unknown>): void {
  console.log(JSON.stringify({ audit: "dcr", ...event }));
}
