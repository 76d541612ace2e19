import { describe, expect, it } from "vitest";
import { MCP_CLIENT_INFO, runMcpAction } from "../src/mcp/call";
import { createFakeFetch, json } from "./fake-fetch";

const MCP = "http://localhost:3001/mcp";
const TOKEN = "access-token-1";
const MODERN = "2026-07-28";
const META_VERSION = "io.modelcontextprotocol/protocolVersion";

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id?: number | string;
  method: string;
  params?: { name?: string; _meta?: Record<string, unknown>; [key: string]: unknown };
}

/** One POST the fake MCP server saw: its JSON-RPC body and the headers that matter here. */
interface Seen {
  body: JsonRpcRequest;
  authorization: string | null;
  protocolVersion: string | null;
  method: string | null;
  name: string | null;
}

const rpcResult = (id: JsonRpcRequest["id"], result: unknown) =>
  json({ jsonrpc: "2.0", id, result });
const rpcError = (id: JsonRpcRequest["id"], code: number, message: string, status = 200) =>
  json({ jsonrpc: "2.0", id, error: { code, message } }, { status });

const WHOAMI = { username: "demo", scopes: ["mcp-api/read"] };

/**
 * A fake MCP server at {@link MCP}. `modern`: it serves 2026-07-28 (answers `server/discover`,
 * stateless, results with `resultType`); otherwise it is an initialize-era server that does not
 * know `server/discover`. `refuse` answers a method with a 401/403 challenge instead.
 */
function fakeServer(options: { modern: boolean; refuse?: Record<string, Response> }) {
  const seen: Seen[] = [];
  const handler = async (request: Request) => {
    const body = (await request.json()) as JsonRpcRequest;
    seen.push({
      body,
      authorization: request.headers.get("authorization"),
      protocolVersion: request.headers.get("mcp-protocol-version"),
      method: request.headers.get("mcp-method"),
      name: request.headers.get("mcp-name"),
    });
    const refusal = options.refuse?.[body.method];
    if (refusal) return refusal.clone();
    switch (body.method) {
      case "server/discover":
        if (!options.modern) return rpcError(body.id, -32601, "Method not found", 404);
        return rpcResult(body.id, {
          resultType: "complete",
          ttlMs: 0,
          cacheScope: "private",
          supportedVersions: [MODERN],
          capabilities: { tools: {} },
          _meta: { "io.modelcontextprotocol/serverInfo": { name: "fake-mcp", version: "1.0.0" } },
        });
      case "initialize":
        return rpcResult(body.id, {
          protocolVersion: "2025-11-25",
          capabilities: { tools: {} },
          serverInfo: { name: "fake-mcp", version: "1.0.0" },
        });
      case "notifications/initialized":
        return new Response(null, { status: 202 });
      case "tools/call":
        return rpcResult(body.id, {
          ...(options.modern ? { resultType: "complete" } : {}),
          content: [{ type: "text", text: JSON.stringify(WHOAMI) }],
          structuredContent: WHOAMI,
        });
      default:
        return rpcError(body.id, -32601, `Method not found: ${body.method}`);
    }
  };
  const net = createFakeFetch({ [MCP]: handler });
  return { net, seen };
}

const challenge = (status: 401 | 403, value: string) =>
  new Response(JSON.stringify({ error: status === 401 ? "invalid_token" : "insufficient_scope" }), {
    status,
    headers: { "content-type": "application/json", "www-authenticate": value },
  });

describe("MCP 2026-07-28 (basic/transports/streamable-http): a server that offers it is used statelessly", () => {
  it("asks server/discover, then calls the tool with _meta, MCP-Protocol-Version, Mcp-Method and Mcp-Name", async () => {
    const { net, seen } = fakeServer({ modern: true });
    const outcome = await runMcpAction(new URL(MCP), TOKEN, { kind: "whoami" }, net);

    expect(outcome).toMatchObject({ ok: true, protocolVersion: MODERN });
    if (!outcome.ok) throw new Error("unreachable");
    expect(outcome.result).toMatchObject({ structuredContent: WHOAMI });
    // No initialize handshake, no session.
    expect(seen.map((request) => request.body.method)).toEqual(["server/discover", "tools/call"]);
    for (const request of seen) {
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.protocolVersion).toBe(MODERN);
      expect(request.method).toBe(request.body.method);
      expect(request.body.params?._meta?.[META_VERSION]).toBe(MODERN);
      expect(request.body.params?._meta?.["io.modelcontextprotocol/clientInfo"]).toEqual(
        MCP_CLIENT_INFO,
      );
    }
    const call = seen[1];
    expect(call?.name).toBe("whoami");
    expect(call?.body.params?.name).toBe("whoami");
    expect(net.calls.every((request) => request.method === "POST")).toBe(true);
  });

  it("returns the 403 insufficient_scope challenge to the caller without re-authorizing itself", async () => {
    const { net, seen } = fakeServer({
      modern: true,
      refuse: {
        "tools/call": challenge(
          403,
          'Bearer error="insufficient_scope", scope="mcp-api/read mcp-api/write", resource_metadata="http://localhost:3001/.well-known/oauth-protected-resource/mcp"',
        ),
      },
    });
    const outcome = await runMcpAction(
      new URL(MCP),
      TOKEN,
      { kind: "create_context", title: "t", content: "c" },
      net,
    );

    expect(outcome).toEqual({
      ok: false,
      status: 403,
      challenge: {
        error: "insufficient_scope",
        scope: "mcp-api/read mcp-api/write",
        resourceMetadata: "http://localhost:3001/.well-known/oauth-protected-resource/mcp",
      },
      message: "the MCP server answered 403",
    });
    expect(seen.map((request) => request.body.method)).toEqual(["server/discover", "tools/call"]);
    expect(seen[1]?.name).toBe("create_context");
  });

  it("returns a 401 on the discovery probe (an expired token) as a challenge, not as an older revision", async () => {
    const { net, seen } = fakeServer({
      modern: true,
      refuse: { "server/discover": challenge(401, 'Bearer error="invalid_token"') },
    });
    const outcome = await runMcpAction(new URL(MCP), TOKEN, { kind: "tools" }, net);

    expect(outcome).toMatchObject({
      ok: false,
      status: 401,
      challenge: { error: "invalid_token" },
    });
    // No initialize fallback: a 401 says nothing about the revision.
    expect(seen.map((request) => request.body.method)).toEqual(["server/discover"]);
  });
});

describe("MCP 2025-11-25 / 2025-06-18 (basic/lifecycle): a server without 2026-07-28 gets the initialize handshake", () => {
  it("falls back from server/discover to initialize, then calls the tool with the negotiated version", async () => {
    const { net, seen } = fakeServer({ modern: false });
    const outcome = await runMcpAction(new URL(MCP), TOKEN, { kind: "whoami" }, net);

    expect(outcome).toMatchObject({ ok: true, protocolVersion: "2025-11-25" });
    expect(seen.map((request) => request.body.method)).toEqual([
      "server/discover",
      "initialize",
      "notifications/initialized",
      "tools/call",
    ]);
    for (const request of seen) expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    const [, initialize, initialized, call] = seen;
    expect(initialize?.body.params).toMatchObject({ clientInfo: MCP_CLIENT_INFO });
    // After the handshake: the negotiated version in the header, no 2026-07-28 header or _meta.
    for (const request of [initialized, call]) {
      expect(request?.protocolVersion).toBe("2025-11-25");
      expect(request?.method).toBeNull();
      expect(request?.name).toBeNull();
      expect(request?.body.params?._meta?.[META_VERSION]).toBeUndefined();
    }
  });
});

describe("REST: the token only in the Authorization header", () => {
  it("GETs /v1/contexts with the bearer token and returns its JSON", async () => {
    const net = createFakeFetch({
      "http://localhost:3001/v1/contexts": () => json({ contexts: [] }),
    });
    const outcome = await runMcpAction(new URL(MCP), TOKEN, { kind: "rest_contexts" }, net);

    expect(outcome).toEqual({ ok: true, result: { contexts: [] } });
    const [request] = net.calls;
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request?.url).toBe("http://localhost:3001/v1/contexts");
  });
});
