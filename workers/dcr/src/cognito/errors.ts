import { logEvent, OAuthError } from "@mcp-cognito-workers/http";
import type { CognitoError } from "./client";

/** Seconds a client is told to wait after Cognito kept throttling. */
export const THROTTLED_RETRY_AFTER_SECONDS = 5;
/** Seconds a client is told to wait when Cognito could not be reached or failed on its side. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The one place Cognito's `__type` becomes an OAuth error. Upstream messages, request ids and
 * bodies are logged, never shown.
 */
export function toOAuthError(error: CognitoError): OAuthError {
  switch (error.type) {
    case "InvalidParameterException":
      return new OAuthError(
        "invalid_client_metadata",
        "the authorization server refused the client metadata (check redirect_uris and client_name)",
      );
    case "ScopeDoesNotExistException":
      return new OAuthError("invalid_client_metadata", '"scope" names a scope that does not exist');
    case "InvalidOAuthFlowException":
      return new OAuthError(
        "invalid_client_metadata",
        '"grant_types" is not a combination the authorization server supports',
      );
    case "TooManyRequestsException":
      return new OAuthError(
        "temporarily_unavailable",
        "the authorization server is busy; retry later",
        429,
        { headers: { "Retry-After": String(THROTTLED_RETRY_AFTER_SECONDS) } },
      );
    case "LimitExceededException":
      return new OAuthError(
        "temporarily_unavailable",
        "the authorization server has reached its limit of registered clients",
        503,
      );
    default:
      logEvent("error", "cognito_error", {
        type: error.type,
        status: error.status,
        requestId: error.requestId,
        message: error.message,
      });
      // No answer, or Cognito's own failure (retries spent): transient, so the client may retry.
      if (error.type === "NetworkError" || error.status >= 500)
        return new OAuthError(
          "temporarily_unavailable",
          "the authorization server could not be reached; retry later",
          503,
          { headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
        );
      return new OAuthError("server_error", "the authorization server could not be reached", 502);
  }
}
