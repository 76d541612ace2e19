/** Error codes of the OAuth endpoints (RFC 6749 §4.1.2.1, §5.2; RFC 7009 §2.2.1; RFC 6750 §3.1). */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "unsupported_token_type"
  | "invalid_scope"
  | "invalid_token"
  | "access_denied"
  | "login_required"
  | "server_error";

/** A failure of the token, revocation or userInfo endpoint; renders as Cognito's JSON error. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description?: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = "OAuthError";
  }

  /** `{"error", "error_description"?}`, never cached. */
  toResponse(): Response {
    const body: Record<string, string> = { error: this.code };
    if (this.description) body.error_description = this.description;
    return Response.json(body, {
      status: this.status,
      headers: { ...NO_STORE, ...this.headers },
    });
  }
}

/** Cache headers Cognito sends on token responses. */
export const NO_STORE = {
  "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
  Pragma: "no-cache",
} as const;
