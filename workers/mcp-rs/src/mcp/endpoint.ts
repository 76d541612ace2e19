import {
  createMcpHandler,
  isLegacyRequest,
  ProtocolError,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { logEvent } from "../http/log";
import { buildMcpServer, type ToolContext } from "./server";

/**
 * Serves one MCP POST, already authenticated and allowed, from its parsed body. 2026-07-28
 * requests (with the `_meta` envelope) go to the SDK's per-request handler, which checks the
 * envelope and the `Mcp-Method`/`Mcp-Name` headers, answers `server/discover` and refuses the
 * methods that revision removed. `initialize`-era requests (2025-11-25, 2025-06-18...) are served
 * statelessly by the same server definition, answered with JSON rather than an SSE stream.
 * @see MCP 2026-07-28 basic/transports/streamable-http
 */
export async function serveMcp(
  request: Request,
  body: unknown,
  context: ToolContext,
): Promise<Response> {
  if (await isLegacyRequest(request, body)) {
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await buildMcpServer(context).connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  }
  // A handler per request: its factory closes over this caller's own Durable Object.
  const handler = createMcpHandler(() => buildMcpServer(context), {
    legacy: "reject",
    onerror: reportMcpError,
  });
  return handler.fetch(request, { parsedBody: body });
}

/**
 * Logs what the SDK refused (by the name of the check only: its message quotes header values) or
 * failed at (with the cause).
 */
function reportMcpError(error: Error): void {
  const rejected = /^Rejected inbound request \(([\w-]+)\)/.exec(error.message);
  if (rejected) logEvent("info", "mcp_request_rejected", { check: rejected[1] });
  else if (error instanceof ProtocolError)
    logEvent("info", "mcp_request_rejected", { code: error.code });
  else logEvent("error", "mcp_error", { name: error.name, message: error.message });
}
