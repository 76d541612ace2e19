// The kinds of request the bench compares: the trivial route, `tools/call whoami` on both MCP
// wires, and a REST route.

/** The `_meta` envelope of a 2026-07-28 request. */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/**
 * The unauthenticated `/health` (first: the base of the ratios), authenticated `tools/call whoami`
 * on the 2026-07-28 wire and on the 2025-11-25 wire, and `GET /v1/contexts`, each with its check.
 * @returns {import("./load.mjs").RequestSpec[]}
 */
export function buildRequestKinds(accessToken) {
  const bearer = { authorization: `Bearer ${accessToken}` };
  const hasClientId = (status, text) => status === 200 && text.includes('"client_id"');
  return [
    { name: "GET /health (no auth)", method: "GET", path: "/health", check: (s) => s === 200 },
    buildMcpPost("POST /mcp whoami, 2026-07-28 wire", {
      headers: {
        ...bearer,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "whoami",
      },
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {}, _meta: ENVELOPE },
      },
      check: hasClientId,
    }),
    buildMcpPost("POST /mcp whoami, 2025-11-25 wire", {
      headers: { ...bearer, "mcp-protocol-version": "2025-11-25" },
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {} },
      },
      check: hasClientId,
    }),
    {
      name: "GET /v1/contexts (REST)",
      method: "GET",
      path: "/v1/contexts",
      headers: bearer,
      check: (status, text) => status === 200 && text.startsWith('{"contexts":'),
    },
  ];
}

/** A JSON POST to /mcp as an MCP client sends it. @returns {import("./load.mjs").RequestSpec} */
function buildMcpPost(name, { headers, body, check }) {
  const text = JSON.stringify(body);
  return {
    name,
    method: "POST",
    path: "/mcp",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "content-length": Buffer.byteLength(text),
      ...headers,
    },
    body: text,
    check,
  };
}
