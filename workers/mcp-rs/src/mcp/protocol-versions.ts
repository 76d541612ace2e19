import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";

/** MCP revisions this server serves; the SDK 1.x list lacks the newest one. */
export const MCP_PROTOCOL_VERSIONS: readonly string[] = [
  "2026-07-28",
  ...SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version !== "2026-07-28"),
];

// SDK 1.x has no option for extra versions (2.x has `supportedProtocolVersions`, typescript-sdk
// PR #1448); its transport and initialize negotiation read this exported list, so extend it once.
for (const version of MCP_PROTOCOL_VERSIONS)
  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) SUPPORTED_PROTOCOL_VERSIONS.push(version);

/** Whether an `MCP-Protocol-Version` header names a revision served here. @see MCP basic/transports §Protocol Version Header */
export function isSupportedProtocolVersion(version: string): boolean {
  return MCP_PROTOCOL_VERSIONS.includes(version);
}
