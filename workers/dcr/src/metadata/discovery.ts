import { isJsonObject, logEvent, OAuthError } from "@mcp-cognito-workers/http";

/** How long Cognito's discovery document is reused. */
export const DISCOVERY_CACHE_SECONDS = 3600;
/** How long a failed fetch is remembered before the next attempt. */
export const DISCOVERY_FAILURE_COOLDOWN_SECONDS = 10;

/** The fields of Cognito's OpenID discovery document the facade republishes. */
export interface CognitoDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  response_types_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  subject_types_supported?: string[];
}

const REQUIRED = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const;
const OPTIONAL = ["userinfo_endpoint", "revocation_endpoint", "end_session_endpoint"] as const;

/** Checks a discovery document; its `issuer` must be the configured one. @see OIDC Discovery §4.3 */
export function parseCognitoDiscovery(body: unknown, expectedIssuer: string): CognitoDiscovery {
  if (!isJsonObject(body)) throw new TypeError("Cognito discovery is not a JSON object");
  const doc = body;
  for (const field of REQUIRED)
    if (typeof doc[field] !== "string" || doc[field] === "")
      throw new TypeError(`Cognito discovery: "${field}" must be a non-empty string`);
  for (const field of OPTIONAL)
    if (doc[field] !== undefined && typeof doc[field] !== "string")
      throw new TypeError(`Cognito discovery: "${field}" must be a string`);
  if (doc.issuer !== expectedIssuer)
    throw new TypeError(
      `Cognito discovery: "issuer" is ${String(doc.issuer)}, expected ${expectedIssuer}`,
    );
  return doc as unknown as CognitoDiscovery;
}

/** Options of {@link createDiscoveryCache}. */
export interface DiscoveryCacheOptions {
  fetch?: typeof fetch;
  /** Epoch milliseconds. */
  now?: () => number;
}

/** Fetches `<issuer>/.well-known/openid-configuration` once an hour (per isolate). */
export function createDiscoveryCache(options: DiscoveryCacheOptions = {}) {
  const now = options.now ?? Date.now;
  let cached: { issuer: string; doc: CognitoDiscovery; until: number } | undefined;
  let failedUntil = 0;
  return async function getDiscovery(issuer: string): Promise<CognitoDiscovery> {
    if (cached && cached.issuer === issuer && cached.until > now()) return cached.doc;
    if (failedUntil > now()) throw unavailable();
    try {
      const res = await (options.fetch ?? fetch)(`${issuer}/.well-known/openid-configuration`, {
        headers: { accept: "application/json" },
      });
      if (!res.ok) throw new TypeError(`Cognito discovery answered ${res.status}`);
      const doc = parseCognitoDiscovery(await res.json(), issuer);
      cached = { issuer, doc, until: now() + DISCOVERY_CACHE_SECONDS * 1000 };
      return doc;
    } catch (error) {
      logEvent("error", "discovery_failed", { issuer, error: String(error) });
      failedUntil = now() + DISCOVERY_FAILURE_COOLDOWN_SECONDS * 1000;
      // A stale document beats none: the endpoints rarely change.
      if (cached && cached.issuer === issuer) return cached.doc;
      throw unavailable();
    }
  };
}

function unavailable(): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    "the authorization server's metadata is unavailable; retry later",
    503,
    { headers: { "Retry-After": String(DISCOVERY_FAILURE_COOLDOWN_SECONDS) } },
  );
}
