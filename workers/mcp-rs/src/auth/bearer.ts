import { OAuthError } from "../http/errors";

/** Longest access token accepted, in characters; Cognito's are about 1-2 KB. */
export const MAX_TOKEN_LENGTH = 8192;

// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Reads the access token from the `Authorization` header, the only place it is accepted: a token
 * in the query string is refused rather than ignored, so that it is not logged by proxies unnoticed.
 * Returns undefined when the request carries no Bearer credentials at all.
 * @see RFC 6750 §2.1, §2.3; MCP authorization "Token Requirements"
 */
export function extractBearerToken(request: Request): string | undefined {
  const url = new URL(request.url);
  if (url.searchParams.has("access_token"))
    throw new OAuthError(
      "invalid_request",
      "access tokens are accepted only in the Authorization header",
      400,
    );
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  if (!/^bearer(\s|$)/i.test(header)) return undefined;
  if (header.length > MAX_TOKEN_LENGTH + "Bearer ".length)
    throw new OAuthError("invalid_token", "the access token is too large", 401);
  const match = BEARER.exec(header);
  if (!match?.[1])
    throw new OAuthError("invalid_request", "the Authorization header is malformed", 400);
  return match[1];
}
