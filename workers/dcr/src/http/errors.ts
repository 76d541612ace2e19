// The one place errors become responses.
import { buildBearerChallenge, logEvent, OAuthError } from "@mcp-cognito-workers/http";
import { CognitoError } from "../cognito/client";
import { toOAuthError } from "../cognito/errors";

/** The answer to a path no route serves. */
export function notFound(): Response {
  return new OAuthError("invalid_request", "not found", 404).toResponse();
}

/** An error as a response: an OAuthError as itself, Cognito's translated, anything else a 500. */
export function errorResponse(error: Error): Response {
  if (error instanceof OAuthError) return error.toResponse();
  if (error instanceof CognitoError) return toOAuthError(error).toResponse();
  logEvent("error", "unhandled", { error: String(error), stack: error.stack });
  return new OAuthError("server_error", "internal error", 500).toResponse();
}

/** 401 `invalid_token` with its Bearer challenge (a bad initial or registration access token). @see RFC 6750 §3.1 */
export function invalidTokenError(description: string): OAuthError {
  const challenge = buildBearerChallenge({
    error: "invalid_token",
    error_description: description,
  });
  return new OAuthError("invalid_token", description, 401, {
    headers: { "WWW-Authenticate": challenge },
  });
}
