import { isJsonObject, OAuthError } from "@mcp-cognito-workers/http";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Error codes of the Bearer token family, what {@link OAuthError}s of this server carry. @see RFC 6750 §3.1 */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

/**
 * A request with no Bearer credentials at all: 401 `invalid_token` in the body, but a challenge
 * that names no error, as the client may not know it needs a token.
 * @see RFC 6750 §3.1
 */
export class MissingTokenError extends OAuthError<BearerErrorCode> {
  override readonly name = "MissingTokenError";

  constructor() {
    super("invalid_token", "an access token is required", 401);
  }
}

/** Error codes of plain HTTP failures this server answers with. */
export type RequestErrorCode =
  | "invalid_request"
  | "forbidden_origin"
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

/** A JSON-RPC request id, or null when the request's could not be read. */
export type JsonRpcId = string | number | null;

/**
 * A JSON-RPC request this server refuses before the MCP SDK sees it; rendered as a JSON-RPC
 * error response echoing the request's id.
 * @see JSON-RPC 2.0 §5.1, MCP basic/transports
 */
export class JsonRpcError extends Error {
  override readonly name = "JsonRpcError";

  constructor(
    readonly code: number,
    readonly description: string,
    readonly status: ContentfulStatusCode,
    readonly options: { id?: JsonRpcId; data?: unknown } = {},
  ) {
    super(description);
  }
}

/** The id of a JSON-RPC request body, to echo in an error; null when it has none. */
export function findJsonRpcId(body: unknown): JsonRpcId {
  if (!isJsonObject(body)) return null;
  return typeof body.id === "string" || typeof body.id === "number" ? body.id : null;
}

/** The JSON body of every error: `{"error","error_description"}`. */
export function errorBody(code: string, description: string) {
  return { error: code, error_description: description };
}
