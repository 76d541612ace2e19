import {
  Client,
  type ClientCapabilities,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/client/validators/cf-worker";
import { type BearerChallenge, parseBearerChallenge, recordRefusals } from "../oauth";
import type { McpAction } from "./actions";

/**
 * The outcome: a JSON result (with the MCP revision the exchange used; none for REST), or the
 * server's challenge (401/403) for the caller to act on.
 */
export type McpOutcome =
  | { ok: true; result: unknown; protocolVersion?: string }
  | { ok: false; status: number; challenge?: BearerChallenge; message: string };

/** Options of {@link runMcpAction}. */
export interface McpCallOptions {
  fetch?: typeof fetch;
}

/** How this client introduces itself to the MCP server (`clientInfo`). */
export const MCP_CLIENT_INFO = { name: "mcp-cognito-workers web client", version: "0.2.0" };

/** Options of {@link createMcpClient}. */
export interface McpClientOptions {
  /**
   * `auto` (the default): the 2026-07-28 revision where the server offers it, else the
   * `initialize` handshake; `legacy`: the `initialize` handshake only (revisions up to 2025-11-25).
   */
  versionNegotiation?: "auto" | "legacy";
  /** Capabilities to declare (none by default). */
  capabilities?: ClientCapabilities;
}

/**
 * An MCP SDK 2.x client that speaks the 2026-07-28 revision where the server offers it (a
 * `server/discover` probe, then stateless requests with `_meta`, `Mcp-Method` and `Mcp-Name`) and
 * the `initialize` handshake of the earlier revisions otherwise.
 * @see MCP 2026-07-28 basic/lifecycle, basic/transports/streamable-http
 */
export function createMcpClient(options: McpClientOptions = {}): Client {
  return new Client(MCP_CLIENT_INFO, {
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    versionNegotiation: { mode: options.versionNegotiation ?? "auto" },
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
  });
}

/**
 * The Streamable HTTP transport to `serverUrl`, with `accessToken` (when there is one) as the
 * bearer token, only ever in the `Authorization` header. A 401 or 403 ends the request: this
 * client's OAuth module, not the SDK's, decides what to do about it (refresh, step-up).
 */
export function createMcpTransport(
  serverUrl: URL,
  accessToken: string | undefined,
  options: McpCallOptions = {},
): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(serverUrl, {
    ...(accessToken === undefined ? {} : { authProvider: { token: async () => accessToken } }),
    onInsufficientScope: "throw",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/**
 * Runs one action against the MCP server with the official SDK client (Streamable HTTP), or the
 * REST API, with the access token in the `Authorization` header only.
 */
export async function runMcpAction(
  serverUrl: URL,
  accessToken: string,
  action: McpAction,
  options: McpCallOptions = {},
): Promise<McpOutcome> {
  const { fetch: recordingFetch, lastRefusal } = recordRefusals(options.fetch);
  const refusal = async (error: unknown): Promise<McpOutcome> => {
    const refused = lastRefusal();
    if (!refused) throw error;
    return {
      ok: false,
      status: refused.status,
      challenge: await parseBearerChallenge(refused),
      message: `the MCP server answered ${refused.status}`,
    };
  };

  if (action.kind === "rest_contexts") {
    const response = await recordingFetch(new URL("/v1/contexts", serverUrl), {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
    if (!response.ok) return refusal(new Error(`REST answered ${response.status}`));
    return { ok: true, result: await response.json() };
  }

  const client = createMcpClient();
  const transport = createMcpTransport(serverUrl, accessToken, { fetch: recordingFetch });
  try {
    await client.connect(transport);
    const result = await callAction(client, action);
    const protocolVersion = client.getNegotiatedProtocolVersion();
    return { ok: true, result, ...(protocolVersion ? { protocolVersion } : {}) };
  } catch (error) {
    return refusal(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

function callAction(client: Client, action: Exclude<McpAction, { kind: "rest_contexts" }>) {
  switch (action.kind) {
    case "tools":
      return client.listTools();
    case "create_context":
      return client.callTool({
        name: "create_context",
        arguments: { title: action.title, content: action.content },
      });
    case "delete_context":
      return client.callTool({ name: "delete_context", arguments: { id: action.id } });
    default:
      return client.callTool({ name: action.kind, arguments: {} });
  }
}
