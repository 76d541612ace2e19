import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  ProtocolError,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { logEvent } from "../http/log";
import { buildMcpServer, type ToolContext } from "./server";

/** The caller of one MCP request, as authentication found it. */
export interface McpCaller {
  /** What the tools act on: this caller's principal and contexts. */
  context: ToolContext;
  /** The access token the request carried. */
  token: string;
}

/** Serves one MCP POST, already authenticated and allowed, from its parsed body. */
export type McpEndpoint = (request: Request, body: unknown, caller: McpCaller) => Promise<Response>;

/**
 * Builds the MCP endpoint. 2026-07-28 requests (with the `_meta` envelope) go to the SDK's
 * handler, which checks the envelope and the `Mcp-Method`/`Mcp-Name` headers, answers
 * `server/discover` and refuses the methods that revision removed. `initialize`-era requests
 * (2025-11-25, 2025-06-18...) are served statelessly by the same server definition, answered with
 * JSON rather than an SSE stream. The handler is built once (it holds no caller's data); the
 * server it asks for is built per request, for that request's caller only, from the `AuthInfo`
 * passed with that request.
 * @see MCP 2026-07-28 basic/transports/streamable-http
 */
export function createMcpEndpoint(): McpEndpoint {
  const modern = createMcpHandler(({ authInfo }) => buildMcpServer(readToolContext(authInfo)), {
    legacy: "reject",
    onerror: reportMcpError,
  });
  return async (request, body, caller) => {
    const authInfo = buildAuthInfo(caller);
    if (await isLegacyRequest(request, body)) {
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await buildMcpServer(caller.context).connect(transport);
      return transport.handleRequest(request, { parsedBody: body, authInfo });
    }
    return modern.fetch(request, { parsedBody: body, authInfo });
  };
}

/** What the SDK is told of the caller; `extra` carries the tools' context to the server factory. */
function buildAuthInfo({ context, token }: McpCaller): AuthInfo {
  const { principal } = context;
  return {
    token,
    clientId: principal.clientId,
    scopes: principal.scopes,
    expiresAt: principal.expiresAt,
    extra: { toolContext: context },
  };
}

function readToolContext(authInfo: AuthInfo | undefined): ToolContext {
  const context = authInfo?.extra?.toolContext;
  if (typeof context !== "object" || context === null)
    throw new TypeError("an MCP request reached the server factory without its caller");
  return context as ToolContext;
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
