import { buildBearerChallenge, logEvent, OAuthError } from "@mcp-cognito-workers/http";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { buildResourceMetadataUrl } from "../discovery/protected-resource";
import { scopesToChallenge } from "../mcp/scope-policy";
import { NO_STORE } from "./cache-control";
import { errorBody, JsonRpcError, MissingTokenError, RequestError } from "./errors";

/**
 * The one place errors become responses (the app's `onError`): JSON bodies with `no-store`, a
 * `WWW-Authenticate` challenge on every `OAuthError` (naming no error when the request had no
 * token, RFC 6750 §3.1), a JSON-RPC error response echoing the request's id on a `JsonRpcError`;
 * anything unexpected is logged with its cause and becomes a generic 500.
 */
export function renderError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof OAuthError) {
    const { config, resource } = c.var;
    const named = !(error instanceof MissingTokenError);
    // The error's own Cache-Control: no-store stands; NO_STORE's would repeat it.
    return error.toResponse({
      "WWW-Authenticate": buildBearerChallenge({
        error: named ? error.code : undefined,
        error_description: named ? error.description : undefined,
        scope: error.scope ?? (config ? scopesToChallenge(config) : undefined),
        resource_metadata: buildResourceMetadataUrl(resource),
      }),
    });
  }
  if (error instanceof RequestError)
    return c.json(errorBody(error.code, error.description), error.status, {
      ...NO_STORE,
      ...error.headers,
    });
  if (error instanceof JsonRpcError)
    return c.json(
      {
        jsonrpc: "2.0",
        id: error.options.id ?? null,
        error: {
          code: error.code,
          message: error.description,
          ...(error.options.data === undefined ? {} : { data: error.options.data }),
        },
      },
      error.status,
      NO_STORE,
    );
  if (error instanceof HTTPException)
    return c.json(
      errorBody("invalid_request", error.message || "bad request"),
      error.status,
      NO_STORE,
    );
  logEvent("error", "unhandled_error", {
    name: error.name,
    message: error.message,
    stack: error.stack,
  });
  return c.json(errorBody("server_error", "internal error"), 500, NO_STORE);
}
