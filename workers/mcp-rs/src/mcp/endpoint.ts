import { isJsonObject, logEvent } from "@mcp-cognito-workers/http";
import {
  type AuthInfo,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  createMcpHandler,
  isLegacyRequest,
  ProtocolError,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { hasEnvelopeClaim } from "./protocol-versions";
import { buildMcpServer, type McpCaller } from "./server";
import { type McpExchange, McpServerPool } from "./server-pool";

/** Serves one MCP POST, already authenticated and allowed, from its parsed body. */
export type McpEndpoint = (request: Request, body: unknown, caller: McpCaller) => Promise<Response>;

/** Options of {@link createMcpEndpoint}. */
export interface McpEndpointOptions {
  /** Builds each server of the pools; {@link buildMcpServer} unless a test watches the servers. */
  buildServer?: typeof buildMcpServer;
}

/**
 * Methods whose handling keeps nothing on the server that serves them. `initialize` (client
 * identity, negotiated version), `logging/setLevel` (log level) and notifications do, so they are
 * served by a server of their own.
 */
const STATELESS_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "completion/complete",
]);

/**
 * Builds the MCP endpoint. 2026-07-28 requests (with the `_meta` envelope) go to the SDK's
 * handler, which checks the envelope and the `Mcp-Method`/`Mcp-Name` headers, answers
 * `server/discover` and refuses the methods that revision removed. `initialize`-era requests
 * (2025-11-25, 2025-06-18...) are served statelessly by the same server definition, answered with
 * JSON rather than an SSE stream. Servers are not built per request: each era has a pool of them,
 * and a server is lent to one exchange at a time with that exchange's caller (see
 * {@link McpServerPool}); one whose exchange changed it is dropped, not lent again.
 * @see MCP 2026-07-28 basic/transports/streamable-http
 */
export function createMcpEndpoint({
  buildServer = buildMcpServer,
}: McpEndpointOptions = {}): McpEndpoint {
  const modernServers = new McpServerPool(buildServer);
  const legacyServers = new McpServerPool(buildServer);
  const modern = createMcpHandler(({ authInfo }) => modernServers.lend(readExchange(authInfo)), {
    legacy: "reject",
    onerror: reportMcpError,
  });
  return async (request, body, caller) => {
    if (!isClaimedModern(body) && (await isLegacyRequest(request, body))) {
      const exchange = { caller, reusable: STATELESS_METHODS.has(methodOf(body) ?? "") };
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await legacyServers.lend(exchange).connect(transport);
      try {
        return await transport.handleRequest(request, {
          parsedBody: body,
          authInfo: buildAuthInfo(exchange),
        });
      } finally {
        // Returns the server to its pool (JSON answers come once every handler has answered).
        await transport.close();
      }
    }
    const exchange = { caller, reusable: isStatelessModernExchange(body) };
    return modern.fetch(request, { parsedBody: body, authInfo: buildAuthInfo(exchange) });
  };
}

/** What the SDK is told of the caller; `extra` carries the exchange to the server factory. */
function buildAuthInfo(exchange: McpExchange): AuthInfo {
  const { principal, token } = exchange.caller;
  return {
    token,
    clientId: principal.clientId,
    scopes: principal.scopes,
    expiresAt: principal.expiresAt,
    extra: { exchange },
  };
}

function readExchange(authInfo: AuthInfo | undefined): McpExchange {
  const exchange = authInfo?.extra?.exchange;
  if (typeof exchange !== "object" || exchange === null)
    throw new TypeError("an MCP request reached the server factory without its caller");
  return exchange as McpExchange;
}

/**
 * Whether the SDK's classification sends `body` to its 2026-07-28 path (to serve or to refuse it)
 * whatever the headers say: a single JSON-RPC message, not shaped as a response, other than
 * `initialize`, whose params carry the envelope claim. Such a body goes straight to the handler,
 * which classifies it; asking `isLegacyRequest` first would classify it twice.
 */
function isClaimedModern(body: unknown): boolean {
  return (
    isJsonObject(body) &&
    body.method !== "initialize" &&
    !("result" in body) &&
    !("error" in body) &&
    hasEnvelopeClaim(body)
  );
}

/**
 * Whether a 2026-07-28 exchange may share servers: a stateless method, and an envelope naming both
 * the client's capabilities and its identity. The SDK copies these onto the server for the
 * exchange, so each such exchange overwrites what the one before left there.
 */
function isStatelessModernExchange(body: unknown): boolean {
  if (!STATELESS_METHODS.has(methodOf(body) ?? "")) return false;
  const params = (body as { params?: unknown }).params;
  const meta = isJsonObject(params) ? params._meta : undefined;
  return isJsonObject(meta) && CLIENT_CAPABILITIES_META_KEY in meta && CLIENT_INFO_META_KEY in meta;
}

/** The method of a single JSON-RPC message (none for a batch). */
function methodOf(body: unknown): string | undefined {
  return isJsonObject(body) && typeof body.method === "string" ? body.method : undefined;
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
