import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { userContexts } from "../contexts/store";
import { JsonRpcError, RequestError } from "../http/errors";
import { requireAccess, requireProtocolVersion } from "../http/guards";
import { createMcpEndpoint } from "../mcp/endpoint";
import { classifyMcpRequest } from "../mcp/scope-policy";

/** Options of {@link handleMcpPost}. */
export interface McpRouteOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * `POST /mcp`, authenticated: the JSON body, the `MCP-Protocol-Version` and the scopes the request
 * needs checked, then served by the MCP endpoint (built once, for every request of the app).
 * @see MCP 2026-07-28 basic/transports/streamable-http
 */
export function handleMcpPost({ now }: McpRouteOptions) {
  const serveMcp = createMcpEndpoint();
  return async (c: Context<AppEnv>) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new JsonRpcError(-32700, "Parse error: invalid JSON", 400);
    });
    requireProtocolVersion(c.req.header("mcp-protocol-version"), body);
    // Decided from the same parsed body the SDK is given.
    requireAccess(c, classifyMcpRequest(body));
    const { principal, token } = c.var;
    return serveMcp(c.req.raw, body, {
      principal,
      token,
      contexts: userContexts(c.env, principal),
      now,
    });
  };
}

/** `GET` and `DELETE /mcp`: 405, since a stateless server has no standalone SSE stream and no sessions. */
export function handleMcpOtherMethods() {
  return () => {
    throw new RequestError("method_not_allowed", "use POST for MCP requests", 405, {
      allow: "POST",
    });
  };
}
