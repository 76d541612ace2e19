import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { type BearerChallenge, parseBearerChallenge, recordRefusals } from "../oauth";

/** What the page can ask the MCP server for. */
export type McpAction =
  | { kind: "tools" }
  | { kind: "whoami" }
  | { kind: "list_contexts" }
  | { kind: "create_context"; title: string; content: string }
  | { kind: "delete_context"; id: string }
  | { kind: "rest_contexts" };

/** The outcome: a JSON result, or the server's challenge (401/403) for the caller to act on. */
export type McpOutcome =
  | { ok: true; result: unknown }
  | { ok: false; status: number; challenge?: BearerChallenge; message: string };

/** Options of {@link runMcpAction}. */
export interface McpCallOptions {
  fetch?: typeof fetch;
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
  const authorization = { authorization: `Bearer ${accessToken}` };

  if (action.kind === "rest_contexts") {
    const response = await recordingFetch(new URL("/v1/contexts", serverUrl), {
      headers: { ...authorization, accept: "application/json" },
    });
    if (!response.ok) return refusal(new Error(`REST answered ${response.status}`));
    return { ok: true, result: await response.json() };
  }

  const client = new Client(
    { name: "mcp-cognito-workers web client", version: "0.1.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  const transport = new StreamableHTTPClientTransport(serverUrl, {
    fetch: recordingFetch,
    requestInit: { headers: authorization },
  });
  try {
    await client.connect(transport);
    switch (action.kind) {
      case "tools":
        return { ok: true, result: await client.listTools() };
      case "create_context":
        return {
          ok: true,
          result: await client.callTool({
            name: "create_context",
            arguments: { title: action.title, content: action.content },
          }),
        };
      case "delete_context":
        return {
          ok: true,
          result: await client.callTool({ name: "delete_context", arguments: { id: action.id } }),
        };
      default:
        return { ok: true, result: await client.callTool({ name: action.kind, arguments: {} }) };
    }
  } catch (error) {
    return refusal(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}
