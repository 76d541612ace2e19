import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";

/** The stateless revision, served by the SDK's `createMcpHandler`. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/**
 * MCP revisions this server serves, newest first: 2026-07-28 on the per-request wire, and every
 * `initialize`-era revision the SDK negotiates (2025-11-25, 2025-06-18 and older).
 */
export const MCP_PROTOCOL_VERSIONS: readonly string[] = [
  MODERN_PROTOCOL_VERSION,
  ...SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version !== MODERN_PROTOCOL_VERSION),
];

/** Whether an `MCP-Protocol-Version` header names a revision served here. @see MCP basic/transports §Protocol Version Header */
export function isSupportedProtocolVersion(version: string): boolean {
  return MCP_PROTOCOL_VERSIONS.includes(version);
}
