import { isJsonObject } from "@mcp-cognito-workers/http";
import { type Access, scopesFor } from "../auth/scopes";

/** The tools, and whether each reads or writes the user's data. */
export const TOOL_ACCESS = {
  whoami: "read",
  list_contexts: "read",
  get_context: "read",
  create_context: "write",
  delete_context: "write",
} as const satisfies Record<string, Access>;

/** Name of a tool of this server. */
export type ToolName = keyof typeof TOOL_ACCESS;

/**
 * What a JSON-RPC message (or batch) does: any request reads; a `tools/call` of a writing tool
 * also writes. Decided before the SDK runs, so that the answer can be HTTP 403 with a challenge.
 */
export function classifyMcpRequest(body: unknown): Set<Access> {
  const access = new Set<Access>(["read"]);
  for (const message of Array.isArray(body) ? body : [body]) {
    if (!isJsonObject(message) || message.method !== "tools/call" || !isJsonObject(message.params))
      continue;
    const name = message.params.name;
    if (typeof name === "string" && Object.hasOwn(TOOL_ACCESS, name))
      access.add(TOOL_ACCESS[name as ToolName]);
  }
  return access;
}

/**
 * The scopes a 401 challenge names: those basic access needs (every request reads) or, with
 * `challengeAllScopes`, every scope a tool needs, for clients that authorize once with the
 * challenge's scope and never step up on a 403.
 * @see RFC 6750 §3; MCP 2025-11-25 basic/authorization, Scope Selection Strategy
 */
export function scopesToChallenge(config: {
  readScope: string;
  writeScope: string;
  challengeAllScopes: boolean;
}): string[] {
  const access = new Set<Access>(["read"]);
  if (config.challengeAllScopes) for (const kind of Object.values(TOOL_ACCESS)) access.add(kind);
  return scopesFor(access, config);
}
