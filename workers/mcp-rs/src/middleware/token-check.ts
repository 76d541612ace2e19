import { logEvent, OAuthError } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readAccessToken } from "../auth/bearer";
import { recordClientSeen } from "../auth/client-seen";
import { GrantLookup } from "../auth/grants";
import { JwksCache } from "../auth/jwks";
import { RevocationCheck } from "../auth/revocation";
import { VerifiedTokenCache } from "../auth/verified-tokens";
import { verifyAccessToken } from "../auth/verify-token";
import { runAfterResponse } from "../http/after-response";
import { type BearerErrorCode, MissingTokenError } from "../http/errors";

/** Options of {@link tokenCheck}; tests inject the network and the clock. */
export interface TokenCheckOptions {
  /** Fetch for Cognito's discovery document and JWKS. */
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Lets in a request with a valid access token, and puts its caller on `c.var.principal` (and the
 * token on `c.var.token`): the Bearer token verified against Cognito's keys, then refused if its
 * client's registration, or the registration its grant names, was deleted. Records after the
 * response that the client was seen. Its caches (JWKS per issuer, verified tokens, grants,
 * revocations, clients seen) live as long as the middleware.
 * @see RFC 6750 §2.1, §3.1; RFC 8707 §2
 */
export function tokenCheck({ fetch, now }: TokenCheckOptions) {
  const jwksByIssuer = new Map<string, JwksCache>();
  const clientsSeenAt = new Map<string, number>();
  const revocations = new RevocationCheck({ now });
  const verifiedTokens = new VerifiedTokenCache({ now });
  const grants = new GrantLookup({ now });

  const keysFor = (issuer: string) => {
    let keys = jwksByIssuer.get(issuer);
    if (!keys) {
      keys = new JwksCache({ issuer, fetch, now });
      jwksByIssuer.set(issuer, keys);
    }
    return keys;
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    const token = readAccessToken(c.req.raw);
    if (token === undefined) throw new MissingTokenError();
    const { config } = c.var;
    const principal = await verifyAccessToken(token, keysFor(config.issuer), {
      issuer: config.issuer,
      resource: c.var.resource,
      requireAudience: config.requireAudience,
      now,
      cache: verifiedTokens,
    });
    // A shared app client's token speaks for the registration its sign-in was made for: that
    // registration's tombstone refuses it, as a client's own tombstone refuses its own tokens.
    const registration =
      principal.originJti === undefined
        ? undefined
        : await grants.registrationOf(c.env.REGISTRATIONS, principal.originJti);
    const client = registration ?? principal.clientId;
    if (
      (await revocations.isRevoked(c.env.REGISTRATIONS, principal.clientId)) ||
      (registration !== undefined &&
        (await revocations.isRevoked(c.env.REGISTRATIONS, registration)))
    )
      throw new OAuthError<BearerErrorCode>(
        "invalid_token",
        "the client's registration was deleted",
        401,
      );
    c.set("principal", registration === undefined ? principal : { ...principal, registration });
    c.set("token", token);
    runAfterResponse(
      c,
      recordClientSeen(c.env.REGISTRATIONS, client, now(), clientsSeenAt).catch((error: unknown) =>
        logEvent("warn", "client_seen_write_failed", {
          clientId: client,
          message: error instanceof Error ? error.message : String(error),
        }),
      ),
    );
    await next();
  });
}
