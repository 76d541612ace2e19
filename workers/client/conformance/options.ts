// What this run was asked: the server URL and flags of the command line, and the suite's
// environment (MCP_CONFORMANCE_PROTOCOL_VERSION, MCP_CONFORMANCE_CONTEXT).

/** Where the adapter says the authorization server sends the browser back. */
export const REDIRECT_URI = "http://localhost:3000/callback";
/** The first revision without the `initialize` handshake. */
const STATELESS_REVISION = "2026-07-28";

/** The MCP server under test: the last command-line argument. */
export const serverUrl = new URL(process.argv.at(-1) ?? "");
const metadataFlag = process.argv.indexOf("--client-metadata-url");
/** The Client ID Metadata Document URL to present where the server supports CIMD. */
export const clientMetadataUrl = metadataFlag > 1 ? process.argv[metadataFlag + 1] : undefined;
/** The scenario's context: pre-registered credentials, tool calls to make. */
export const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as Record<
  string,
  unknown
>;
const requestedVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? STATELESS_REVISION;
/** 2026-07-28: the revision where the server offers it, else `initialize`; earlier: `initialize`. */
export const versionNegotiation = requestedVersion >= STATELESS_REVISION ? "auto" : "legacy";
