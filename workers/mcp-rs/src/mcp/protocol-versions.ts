import { isJsonObject } from "@mcp-cognito-workers/http";
import {
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";

/** The stateless revision, served by the SDK's `createMcpHandler`. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/**
 * The revisions of the per-request wire this server serves: what its `server/discover` result
 * lists as `supportedVersions`.
 */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION];

/**
 * MCP revisions this server serves, newest first: 2026-07-28 on the per-request wire, and every
 * `initialize`-era revision the SDK negotiates (2025-11-25, 2025-06-18 and older).
 */
export const MCP_PROTOCOL_VERSIONS: readonly string[] = [
  ...MODERN_PROTOCOL_VERSIONS,
  ...SUPPORTED_PROTOCOL_VERSIONS.filter((version) => !MODERN_PROTOCOL_VERSIONS.includes(version)),
];

/** Whether an `MCP-Protocol-Version` header names a revision served here. @see MCP basic/transports §Protocol Version Header */
export function isSupportedProtocolVersion(version: string): boolean {
  return MCP_PROTOCOL_VERSIONS.includes(version);
}

/**
 * The revisions an unsupported-version error (-32022) names for a request: to a request of the
 * per-request wire (its `_meta` names a protocol version), those `server/discover` lists, which
 * is how such a client negotiates; to any other request, every revision served here, so that an
 * `initialize`-era client also learns it can fall back to one.
 * @see MCP 2026-07-28 basic/transports/streamable-http §Protocol Version Header, SEP-2575
 */
export function listSupportedVersionsFor(body: unknown): readonly string[] {
  return hasEnvelopeClaim(body) ? MODERN_PROTOCOL_VERSIONS : MCP_PROTOCOL_VERSIONS;
}

/** Whether a JSON-RPC message's `params._meta` carries the per-request protocol version key. */
export function hasEnvelopeClaim(body: unknown): boolean {
  if (!isJsonObject(body) || !isJsonObject(body.params)) return false;
  const meta = body.params._meta;
  return isJsonObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}
