/**
 * Error codes this facade answers with (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7591
 * §3.2.2, RFC 8707 §2, OIDC Core §3.1.2.6).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "consent_required"
  | "interaction_required"
  | "login_required"
  | "unsupported_token_type"
  | "invalid_token"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "temporarily_unavailable"
  | "server_error";

/** A protocol failure that renders itself as `{"error","error_description"}` with no-store. */
export class OAuthError extends Error {
  override readonly name = "OAuthError";

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 502 | 503 = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${description}`);
  }

  /** The JSON error response. */
  toResponse(): Response {
    return Response.json(
      { error: this.code, error_description: this.description },
      {
        status: this.status,
        headers: { "Cache-Control": "no-store", ...this.headers },
      },
    );
  }
}

/** A quoted-string value for `WWW-Authenticate` (RFC 9110 §5.6.4). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Builds every Bearer challenge this worker sends. @see RFC 6750 §3 */
export function buildBearerChallenge(params: Record<string, string> = {}): string {
  const parts = Object.entries(params).map(([name, value]) => `${name}=${quote(value)}`);
  return parts.length > 0 ? `Bearer ${parts.join(", ")}` : "Bearer";
}

/** 401 invalid_token with its challenge. @see RFC 6750 §3.1 */
export function invalidTokenError(description: string): OAuthError {
  return new OAuthError("invalid_token", description, 401, {
    "WWW-Authenticate": buildBearerChallenge({
      error: "invalid_token",
      error_description: description,
    }),
  });
}
