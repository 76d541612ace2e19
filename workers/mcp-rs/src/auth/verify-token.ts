import { OAuthError } from "@mcp-cognito-workers/http";
import { isOriginJtiShape } from "@mcp-cognito-workers/registrations";
import { errors, type JWTPayload, jwtVerify } from "jose";
import { type BearerErrorCode, RequestError } from "../http/errors";
import { isAudienceAccepted } from "./audience";
import type { JwksCache } from "./jwks";
import { parseScopes } from "./scopes";
import { buildVerifiedTokenKey, type VerifiedTokenCache } from "./verified-tokens";

/** Clock difference tolerated between Cognito and this server on `exp`, `nbf` and `iat`. */
export const CLOCK_SKEW_SECONDS = 30;

/** Cognito's app client ids: word characters and `+`, at most 128 (its `ClientIdType`). */
const CLIENT_ID_SHAPE = /^[\w+]{1,128}$/;

/** Who a valid access token speaks for. */
export interface Principal {
  sub: string;
  username: string | undefined;
  clientId: string;
  scopes: string[];
  audience: string[];
  /** Epoch seconds. */
  expiresAt: number;
  /** The sign-in every token of it carries (Cognito's `origin_jti`), when it has a usable one. */
  originJti: string | undefined;
  /**
   * The registration the token was issued for, when `clientId` is a shared app client's (from
   * workers/dcr's grant record); set by `tokenCheck()` after verification.
   */
  registration?: string;
}

/** Options of {@link verifyAccessToken}. */
export interface VerifyAccessTokenOptions {
  /** Cognito's issuer, compared exactly. */
  issuer: string;
  /** This server's canonical resource URL. */
  resource: string;
  requireAudience: boolean;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Earlier verifications to reuse, and where this one is kept. */
  cache?: VerifiedTokenCache;
}

/**
 * Verifies a Cognito access token: RS256 signature by a key of the pinned issuer's JWKS, `iss`,
 * `exp`/`nbf`/`iat` within {@link CLOCK_SKEW_SECONDS}, `token_use` `access`, `client_id`, and the
 * audience rule. Every failure is a 401 `invalid_token` whose description says what failed. With
 * a cache, a token verified before against the same issuer, resource, audience rule and key set
 * is taken from it (see {@link VerifiedTokenCache} for how long).
 * @see OAuth 2.1 §5.2, RFC 9068 §4, MCP authorization "Token Handling"
 */
export async function verifyAccessToken(
  token: string,
  keys: JwksCache,
  options: VerifyAccessTokenOptions,
): Promise<Principal> {
  const { cache } = options;
  if (!cache) return verifyTokenNow(token, keys, options);
  const key = await buildVerifiedTokenKey(token, options);
  // Stamped before verifying: keys fetched meanwhile make the entry stale, never the reverse.
  const keySet = keys.keySetStamp;
  const known = cache.get(key, keySet);
  if (known) return known;
  return cache.set(key, await verifyTokenNow(token, keys, options), keySet);
}

async function verifyTokenNow(
  token: string,
  keys: JwksCache,
  options: VerifyAccessTokenOptions,
): Promise<Principal> {
  const nowMs = options.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys.getKey, {
      issuer: options.issuer,
      algorithms: ["RS256"],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(nowMs),
      requiredClaims: ["exp", "iat", "sub"],
    }));
  } catch (error) {
    if (error instanceof RequestError) throw error;
    throw invalidToken(describeJoseError(error));
  }
  const now = Math.floor(nowMs / 1000);
  if (typeof payload.iat !== "number" || payload.iat > now + CLOCK_SKEW_SECONDS)
    throw invalidToken("the access token was issued in the future");
  if (payload.token_use !== "access") throw invalidToken("the token is not an access token");
  if (typeof payload.client_id !== "string" || payload.client_id === "")
    throw invalidToken("the access token has no client_id");
  // It becomes a KV key (the revocation tombstone): only the shape of Cognito's app client ids.
  if (!CLIENT_ID_SHAPE.test(payload.client_id))
    throw invalidToken("the access token's client_id is malformed");
  if (typeof payload.sub !== "string" || payload.sub === "")
    throw invalidToken("the access token has no subject");
  if (!isAudienceAccepted(payload.aud, options.resource, options))
    throw invalidToken(
      payload.aud === undefined
        ? "the access token is not bound to this resource"
        : "the access token is meant for another audience",
    );
  return {
    sub: payload.sub,
    username: typeof payload.username === "string" ? payload.username : undefined,
    clientId: payload.client_id,
    scopes: parseScopes(payload.scope),
    audience: payload.aud === undefined ? [] : [payload.aud].flat(),
    expiresAt: payload.exp ?? 0,
    originJti: isOriginJtiShape(payload.origin_jti) ? payload.origin_jti : undefined,
  };
}

function invalidToken(description: string): OAuthError<BearerErrorCode> {
  return new OAuthError<BearerErrorCode>("invalid_token", description, 401);
}

/** The one place jose's failures become what a client is told. */
function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the access token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "the access token is not yet valid";
    if (error.claim === "iss") return "the access token was issued by another issuer";
    return `the access token's "${error.claim}" claim is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the signing algorithm is not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "the access token's signature is invalid";
  if (error instanceof errors.JWKSNoMatchingKey)
    return "the access token is signed by an unknown key";
  if (error instanceof errors.JOSEError) return "the access token is malformed";
  throw error;
}
