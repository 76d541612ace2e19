import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Error codes of the Bearer token family (RFC 6750 §3.1). */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

/** Options of {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** Scopes the operation needs, for the challenge's `scope`. */
  scope?: readonly string[];
}

/**
 * A failure of Bearer authentication; rendered as 401/403/400 JSON with a `WWW-Authenticate`
 * challenge built by `buildBearerChallenge`.
 * @see RFC 6750 §3.1
 */
export class OAuthError extends Error {
  override readonly name = "OAuthError";

  constructor(
    readonly code: BearerErrorCode | undefined,
    readonly description: string,
    readonly status: 400 | 401 | 403,
    readonly options: OAuthErrorOptions = {},
  ) {
    super(description);
  }
}

/** Error codes of plain HTTP failures this server answers with. */
export type RequestErrorCode =
  | "invalid_request"
  | "forbidden_origin"
  | "unsupported_protocol_version"
  | "payload_too_large"
  | "not_found"
  | "method_not_allowed"
  | "limit_exceeded"
  | "bad_gateway"
  | "temporarily_unavailable";

/** A request this server refuses outside Bearer authentication; rendered as JSON. */
export class RequestError extends Error {
  override readonly name = "RequestError";

  constructor(
    readonly code: RequestErrorCode,
    readonly description: string,
    readonly status: ContentfulStatusCode,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

/** The JSON body of every error: `{"error","error_description"}`. */
export function errorBody(code: string, description: string) {
  return { error: code, error_description: description };
}
