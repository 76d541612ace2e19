// The worker `scripts/bench-mcp-endpoint.mjs` runs: each request serves `n` MCP exchanges of one
// kind through mcp-rs's MCP endpoint alone (no routing, no authentication, a caller given as is),
// so that the CPU time workerd spends per exchange is the endpoint's (with the SDK's).
import type { Principal } from "../../workers/mcp-rs/src/auth/verify-token";
import { createMcpEndpoint } from "../../workers/mcp-rs/src/mcp/endpoint";
import type { McpCaller } from "../../workers/mcp-rs/src/mcp/server";

// The configuration this worker runs under (mcp-rs's) binds this class.
export { UserContexts } from "../../workers/mcp-rs/src/contexts/user-contexts";

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const WHOAMI = { name: "whoami", arguments: {} };
const ACCEPT = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** `tools/call whoami` on each wire, as scripts/bench/requests.mjs sends it. */
const KINDS: Record<string, { headers: Record<string, string>; body: string }> = {
  modern: {
    headers: {
      ...ACCEPT,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "whoami",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { ...WHOAMI, _meta: ENVELOPE },
    }),
  },
  legacy: {
    headers: { ...ACCEPT, "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: WHOAMI }),
  },
};

const principal: Principal = {
  sub: "11111111-2222-4333-8444-555555555555",
  username: "bench",
  clientId: "bench",
  scopes: ["mcp-api/read"],
  audience: [],
  expiresAt: 4_000_000_000,
  originJti: undefined,
};

let serve: ReturnType<typeof createMcpEndpoint> | undefined;

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const kind = KINDS[params.get("kind") ?? ""];
    const n = Number(params.get("n"));
    if (!kind || !Number.isSafeInteger(n))
      return new Response("kind and n, please", { status: 400 });
    // `empty`: only what the loop does besides the endpoint (the request, parsing, reading).
    const empty = params.has("empty");
    serve ??= createMcpEndpoint();
    const caller: McpCaller = {
      principal,
      token: "bench",
      contexts: env.USER_CONTEXTS.getByName(principal.sub),
      now: Date.now,
    };
    for (let i = 0; i < n; i++) {
      const mcpRequest = new Request("http://localhost/mcp", {
        method: "POST",
        headers: kind.headers,
        body: kind.body,
      });
      const body: unknown = JSON.parse(kind.body);
      const res = empty
        ? Response.json({ client_id: "bench" })
        : await serve(mcpRequest, body, caller);
      const text = await res.text();
      if (!text.includes('"client_id')) return new Response(text, { status: 500 });
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
