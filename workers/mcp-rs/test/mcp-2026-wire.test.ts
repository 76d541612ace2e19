import { describe, expect, it } from "vitest";
import {
  callLegacy,
  callModern,
  ENVELOPE,
  mcpHeaders,
  messagesOf,
  modernHeaders,
  modernRpc,
  PRM_URL,
  READ,
  type RpcAnswer,
  rpc,
  setup,
} from "./support";

const SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo";

describe("MCP 2026-07-28 §Streamable HTTP: stateless requests, no handshake", () => {
  it("answers server/discover with the revision, the capabilities and a public cache hint", async () => {
    const { call, token } = await setup();
    const { res, body } = await callModern(call, await token(), "server/discover");
    expect(res.status).toBe(200);
    expect(res.headers.get("mcp-session-id")).toBeNull();
    expect(body.result).toMatchObject({
      supportedVersions: ["2026-07-28"],
      capabilities: {
        tools: { listChanged: false },
        resources: { listChanged: false },
        prompts: { listChanged: false },
        completions: {},
      },
      resultType: "complete",
      ttlMs: 300_000,
      cacheScope: "public",
      _meta: { [SERVER_INFO_KEY]: { name: "mcp-cognito-workers", version: "0.1.0" } },
    });
  });

  it("lists the tools with resultType and a public cache hint (the same for every user)", async () => {
    const { call, token } = await setup();
    const { body } = await callModern(call, await token(), "tools/list");
    const result = body.result as { tools: { name: string }[]; resultType: string };
    expect(result.tools.map((tool) => tool.name).sort()).toEqual([
      "create_context",
      "delete_context",
      "get_context",
      "list_contexts",
      "whoami",
    ]);
    expect(body.result).toMatchObject({
      resultType: "complete",
      ttlMs: 300_000,
      cacheScope: "public",
    });
  });

  it("calls a tool without any earlier request; the result has resultType and no cache hint", async () => {
    const { call, token } = await setup();
    const { res, body } = await callModern(call, await token({ username: "carol" }), "tools/call", {
      name: "whoami",
    });
    expect(res.status).toBe(200);
    expect(body.result?.resultType).toBe("complete");
    expect(body.result?.structuredContent).toMatchObject({ username: "carol" });
    expect(body.result).not.toHaveProperty("ttlMs");
  });

  it("serves the same data to an initialize-era client on the same /mcp", async () => {
    const { call, token } = await setup();
    const t = await token({ sub: crypto.randomUUID() });
    const created = await callModern(call, t, "tools/call", {
      name: "create_context",
      arguments: { title: "  Both eras  ", content: "shared" },
    });
    const context = created.body.result?.structuredContent as { id: string; title: string };
    expect(context.title).toBe("Both eras");
    const legacy = await callLegacy(call, t, "tools/call", { name: "list_contexts" });
    expect(legacy.res.headers.get("content-type")).toContain("application/json");
    expect(legacy.body.result?.structuredContent).toEqual({ contexts: [context] });
    // 2025-era results carry none of the 2026-07-28 fields.
    expect(legacy.body.result).not.toHaveProperty("resultType");
  });

  it("still asks for the read scope, and refuses writes to a read-only token with 403", async () => {
    const { call, token } = await setup();
    const noRead = await callModern(call, await token({ scope: "openid" }), "server/discover");
    expect(noRead.res.status).toBe(403);
    const write = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token({ scope: READ }), "tools/call", {
        name: "delete_context",
      }),
      body: modernRpc("tools/call", {
        name: "delete_context",
        arguments: { id: crypto.randomUUID() },
      }),
    });
    expect(write.status).toBe(403);
    expect(write.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    const anonymous = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(undefined, "server/discover"),
      body: modernRpc("server/discover"),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain(`resource_metadata="${PRM_URL}"`);
  });
});

describe("MCP 2026-07-28 §subscriptions/listen: nothing is ever announced", () => {
  it("acknowledges a listen with no notification types and ends the stream at once", async () => {
    const { call, token } = await setup();
    const params = { notifications: { toolsListChanged: true, resourcesListChanged: true } };
    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token(), "subscriptions/listen", params),
      body: modernRpc("subscriptions/listen", params),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = (await res.text())
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice("data: ".length)));
    expect(events).toMatchObject([
      { method: "notifications/subscriptions/acknowledged", params: { notifications: {} } },
      { result: { resultType: "complete" } },
    ]);
  });
});

describe("MCP 2026-07-28 §Standard headers: a header that contradicts the body is 400 -32020", () => {
  const post = async (headers: Record<string, string>, body: string) => {
    const { call, token } = await setup();
    const t = await token();
    const res = await call("/mcp", {
      method: "POST",
      headers: { ...mcpHeaders(t), ...headers },
      body,
    });
    return { res, body: (await res.json()) as { id: unknown; error?: { code: number } } };
  };

  it("refuses an Mcp-Method that names another method", async () => {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 41,
      method: "tools/list",
      params: { _meta: ENVELOPE },
    });
    const answer = await post(modernHeaders(undefined, "tools/call"), body);
    expect(answer.res.status).toBe(400);
    expect(answer.body).toMatchObject({ id: 41, error: { code: -32020 } });
  });

  it("refuses an Mcp-Name that names another tool", async () => {
    const answer = await post(
      modernHeaders(undefined, "tools/call", { name: "list_contexts" }),
      modernRpc("tools/call", { name: "whoami" }),
    );
    expect(answer.res.status).toBe(400);
    expect(answer.body.error?.code).toBe(-32020);
  });

  it("refuses a resources/read without Mcp-Name", async () => {
    const answer = await post(
      modernHeaders(undefined, "resources/read"),
      modernRpc("resources/read", { uri: "context://x" }),
    );
    expect(answer.res.status).toBe(400);
    expect(answer.body.error?.code).toBe(-32020);
  });

  it("refuses an enveloped request without MCP-Protocol-Version", async () => {
    const headers = modernHeaders(undefined, "tools/list");
    const { "mcp-protocol-version": _, ...withoutVersion } = headers;
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: { ...withoutVersion, authorization: `Bearer ${await token()}` },
      body: modernRpc("tools/list"),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32020);
  });

  it("refuses an envelope naming another revision than the header", async () => {
    const answer = await post(
      modernHeaders(undefined, "tools/list"),
      modernRpc(
        "tools/list",
        {},
        { ...ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2025-11-25" },
      ),
    );
    expect(answer.res.status).toBe(400);
    expect(answer.body.error?.code).toBe(-32020);
  });
});

describe("MCP 2026-07-28 §_meta: the per-request envelope is checked", () => {
  it("refuses a 2026-07-28 header on a request without the envelope (-32602)", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token(), "tools/list"),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: -32602, data: { envelope: { missing: ["_meta"] } } },
    });
  });

  it("refuses malformed client capabilities (-32602)", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token(), "tools/list"),
      body: modernRpc(
        "tools/list",
        {},
        { ...ENVELOPE, "io.modelcontextprotocol/clientCapabilities": "everything" },
      ),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32602);
  });
});

describe("MCP 2026-07-28: methods the revision removed are 404 -32601", () => {
  it.each([
    [
      "initialize",
      { protocolVersion: "2026-07-28", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    ],
    ["ping", {}],
    ["logging/setLevel", { level: "info" }],
    ["resources/subscribe", { uri: "context://x" }],
  ])("%s", async (method, params) => {
    const { call, token } = await setup();
    const { res, body } = await callModern(call, await token(), method, params);
    expect(res.status).toBe(404);
    expect(body.error).toEqual({ code: -32601, message: "Method not found" });
  });

  it("still answers ping on the initialize-era wire", async () => {
    const { call, token } = await setup();
    const { res, body } = await callLegacy(call, await token(), "ping");
    expect(res.status).toBe(200);
    expect(body.result).toEqual({});
  });

  it("refuses an initialize sent with the 2026-07-28 header (-32020)", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token(), { "mcp-protocol-version": "2026-07-28" }),
      body: rpc("initialize", {
        protocolVersion: "2026-07-28",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32020);
  });
});

describe("MCP logging: saving and deleting are logged only to a client that asks", () => {
  const LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel";
  const save = { name: "create_context", arguments: { title: "Logged", content: "x" } };

  it("sends a notifications/message before the result when _meta asks for info (2026-07-28)", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token(), "tools/call", save),
      body: modernRpc("tools/call", save, { ...ENVELOPE, [LOG_LEVEL_KEY]: "info" }),
    });
    expect(res.status).toBe(200);
    const messages = await messagesOf(res);
    const created = messages.at(-1) as RpcAnswer;
    const id = (created.result?.structuredContent as { id: string } | undefined)?.id;
    expect(id).toBeTypeOf("string");
    expect(messages.slice(0, -1)).toEqual([
      {
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level: "info", data: { event: "context_saved", id }, logger: "contexts" },
      },
    ]);
  });

  it("sends none when _meta names no level, or a level above info", async () => {
    const { call, token } = await setup();
    const t = await token();
    for (const meta of [ENVELOPE, { ...ENVELOPE, [LOG_LEVEL_KEY]: "warning" }]) {
      const res = await call("/mcp", {
        method: "POST",
        headers: modernHeaders(t, "tools/call", save),
        body: modernRpc("tools/call", save, meta),
      });
      const messages = await messagesOf(res);
      expect(messages).toHaveLength(1);
      expect((messages[0] as RpcAnswer).result?.isError).not.toBe(true);
    }
  });

  it("answers an initialize-era save with its result alone, as JSON", async () => {
    const { call, token } = await setup();
    const { res, body } = await callLegacy(call, await token(), "tools/call", save);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(body).toMatchObject({
      jsonrpc: "2.0",
      result: { structuredContent: { title: "Logged" } },
    });
  });

  it("accepts logging/setLevel on the initialize-era wire with an empty result", async () => {
    const { call, token } = await setup();
    const { res, body } = await callLegacy(call, await token(), "logging/setLevel", {
      level: "info",
    });
    expect(res.status).toBe(200);
    expect(body.result).toEqual({});
  });
});
