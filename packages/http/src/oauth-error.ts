/**
 * OAuth error codes the workers answer with (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009
 * §2.2.1, RFC 7591 §3.2.2, RFC 8707 §2, OIDC Core §3.1.2.6).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "unsupported_token_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "consent_required"
  | "interaction_required"
  | "login_required"
  | "invalid_token"
  | "insufficient_scope"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "temporarily_unavailable"
  | "server_error";

/** HTTP statuses an OAuth error is answered with. */
export type OAuthErrorStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 409
  | 413
  | 415
  | 429
  | 500
  | 502
  | 503;

/** The JSON body of an OAuth error response. @see RFC 6749 §5.2 */
export interface OAuthErrorBody<Code extends string = OAuthErrorCode> {
  error: Code;
  error_description?: string;
}

/** Options of {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** Headers of the response (`WWW-Authenticate`, `Retry-After`...), over the defaults. */
  headers?: Record<string, string>;
  /** Scopes the refused operation needs, for a challenge's `scope`. @see RFC 6750 §3 */
  scope?: readonly string[];
  /** What caused the error, for logs; never rendered. */
  cause?: unknown;
}

/** Headers of every OAuth error response unless the caller gives others. */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = { "Cache-Control": "no-store" };

/**
 * A protocol failure of the OAuth family: renders itself as `{"error","error_description"}` JSON
 * with `Cache-Control: no-store`. A worker may narrow `Code` or subclass it.
 */
export class OAuthError<Code extends string = OAuthErrorCode> extends Error {
  override readonly name: string = "OAuthError";
  /** Response headers of this error, over the defaults and the renderer's. */
  readonly headers: Readonly<Record<string, string>>;
  /** Scopes the refused operation needs, when the error is about scope. */
  readonly scope: readonly string[] | undefined;

  constructor(
    readonly code: Code,
    readonly description?: string,
    readonly status: OAuthErrorStatus = 400,
    options: OAuthErrorOptions = {},
  ) {
    super(description ? `${code}: ${description}` : code, { cause: options.cause });
    this.headers = { ...options.headers };
    this.scope = options.scope;
  }

  /** `{"error", "error_description"?}`: the description only when there is one. */
  body(): OAuthErrorBody<Code> {
    return this.description
      ? { error: this.code, error_description: this.description }
      : { error: this.code };
  }

  /**
   * The JSON error response. Headers, later ones winning: `Cache-Control: no-store`, then
   * `extraHeaders` (a worker's own cache headers, a challenge it builds), then the error's own.
   */
  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return Response.json(this.body(), {
      status: this.status,
      headers: { ...DEFAULT_HEADERS, ...extraHeaders, ...this.headers },
    });
  }
}
