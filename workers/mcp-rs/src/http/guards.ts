import { OAuthError } from "@mcp-cognito-workers/http";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { type Access, findMissingScopes, scopesFor } from "../auth/scopes";
import { isSupportedProtocolVersion, listSupportedVersionsFor } from "../mcp/protocol-versions";
import { type BearerErrorCode, findJsonRpcId, JsonRpcError } from "./errors";

/**
 * 403 `insufficient_scope` naming every scope the operation needs, unless the token has them.
 * @see RFC 6750 §3.1
 */
export function requireAccess(c: Context<AppEnv>, access: ReadonlySet<Access>): void {
  const needed = scopesFor(access, c.var.config);
  if (findMissingScopes(c.var.principal.scopes, needed).length > 0)
    throw new OAuthError<BearerErrorCode>(
      "insufficient_scope",
      `this operation needs the scopes ${needed.join(" ")}`,
      403,
      { scope: needed },
    );
}

/**
 * 400 with JSON-RPC error -32022 for an `MCP-Protocol-Version` this server does not serve, naming
 * the revisions it serves to a client of the request's era (`listSupportedVersionsFor`).
 * @see MCP 2026-07-28 basic/transports/streamable-http §Protocol Version Header
 */
export function requireProtocolVersion(version: string | undefined, body: unknown): void {
  if (version === undefined || isSupportedProtocolVersion(version)) return;
  const requested = version.slice(0, 40);
  throw new JsonRpcError(-32022, `Unsupported protocol version: ${requested}`, 400, {
    id: findJsonRpcId(body),
    data: { supported: listSupportedVersionsFor(body), requested },
  });
}
