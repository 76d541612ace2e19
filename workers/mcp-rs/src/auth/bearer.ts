import { OAuthError, parseBearerAuthorization } from "@mcp-cognito-workers/http";
import type { BearerErrorCode } from "../http/errors";

/** Longest access token accepted, in characters; Cognito's are about 1-2 KB. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Reads the access token from the `Authorization` header, the only place it is accepted: a token
 * in the query string is refused rather than ignored, so that it is not logged by proxies unnoticed,
 * and a token longer than {@link MAX_TOKEN_LENGTH} is refused before it is verified. Returns
 * undefined when the request carries no Bearer credentials at all.
 * @see RFC 6750 §2.1, §2.3; MCP authorization "Token Requirements"
 */
export function readAccessToken(request: Request): string | undefined {
  if (new URL(request.url).searchParams.has("access_token"))
    throw new OAuthError<BearerErrorCode>(
      "invalid_request",
      "access tokens are accepted only in the Authorization header",
      400,
    );
  const credentials = parseBearerAuthorization(request.headers.get("authorization"));
  if (credentials.kind === "absent") return undefined;
  if (credentials.kind === "malformed")
    throw new OAuthError<BearerErrorCode>(
      "invalid_request",
      "the Authorization header is malformed",
      400,
    );
  if (credentials.token.length > MAX_TOKEN_LENGTH)
    throw new OAuthError<BearerErrorCode>("invalid_token", "the access token is too large", 401);
  return credentials.token;
}
