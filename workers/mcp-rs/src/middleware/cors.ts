import { cors } from "hono/cors";

/** CORS of the public metadata: any origin may read it. */
export function metadataCors() {
  return cors({ origin: "*", exposeHeaders: [] });
}

/**
 * CORS of `/mcp` and `/v1`: echoes the request's origin, so it must run after `originGuard()`,
 * which has refused every origin not allowed. Exposes the challenge and the MCP headers.
 */
export function apiCors() {
  return cors({
    origin: (origin) => origin,
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: [
      "authorization",
      "content-type",
      "accept",
      "mcp-protocol-version",
      "mcp-method",
      "mcp-name",
      "mcp-session-id",
      "last-event-id",
    ],
    exposeHeaders: ["WWW-Authenticate", "Mcp-Session-Id", "Mcp-Protocol-Version"],
    maxAge: 600,
  });
}
