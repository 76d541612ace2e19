import { env } from "cloudflare:test";
import { grantKey } from "@mcp-cognito-workers/registrations";
import { describe, expect, it } from "vitest";
import { callTool, mcpHeaders, PRM_URL, READ, rpc, setup, WRITE } from "./support";

describe("MCP over Streamable HTTP (stateless)", () => {
  it("initializes with each initialize-era revision", async () => {
    const { call, token } = await setup();
    const t = await token();
    for (const version of ["2025-06-18", "2025-11-25"]) {
      const res = await call("/mcp", {
        method: "POST",
        headers: mcpHeaders(t, { "mcp-protocol-version": version }),
        body: rpc("initialize", {
          protocolVersion: version,
          capabilities: {},
          clientInfo: { name: "test", version: "1" },
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("mcp-session-id")).toBeNull();
      const body = (await res.json()) as { result: { protocolVersion: string } };
      expect(body.result.protocolVersion).toBe(version);
    }
  });

  it("lists the five tools with input schemas", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token()),
      body: rpc("tools/list"),
    });
    const body = (await res.json()) as {
      result: { tools: { name: string; inputSchema: { type: string } }[] };
    };
    expect(body.result.tools.map((tool) => tool.name).sort()).toEqual([
      "create_context",
      "delete_context",
      "get_context",
      "list_contexts",
      "whoami",
    ]);
    for (const tool of body.result.tools) expect(tool.inputSchema.type).toBe("object");
  });

  it("whoami reports the token's subject, username, client, scopes and audience", async () => {
    const { call, token } = await setup();
    const { body } = await callTool(
      call,
      await token({ aud: "http://localhost:3001/mcp" }),
      "whoami",
    );
    expect(body?.result?.structuredContent).toEqual({
      sub: "11111111-2222-4333-8444-555555555555",
      username: "demo",
      client_id: "testclient0000000000000001",
      scopes: ["openid", READ, WRITE],
      audience: ["http://localhost:3001/mcp"],
    });
  });

  it("whoami reports the registration a shared app client's token was issued for", async () => {
    const { call, token } = await setup();
    const originJti = crypto.randomUUID();
    await env.REGISTRATIONS.put(
      grantKey(originJti),
      JSON.stringify({ clientId: "dcr_registration000000000000001", issuedAt: 1 }),
    );
    const { body } = await callTool(
      call,
      await token({ client_id: "sharedappclient00000000001", origin_jti: originJti }),
      "whoami",
    );
    expect(body?.result?.structuredContent).toMatchObject({
      client_id: "dcr_registration000000000000001",
    });
  });

  it("creates, lists, reads and deletes a context", async () => {
    const { call, token } = await setup();
    const t = await token({ sub: crypto.randomUUID() });
    const created = await callTool(call, t, "create_context", { title: "Notes", content: "hello" });
    const context = created.body?.result?.structuredContent as { id: string; title: string };
    expect(context.title).toBe("Notes");
    const listed = await callTool(call, t, "list_contexts");
    expect(listed.body?.result?.structuredContent).toEqual({ contexts: [context] });
    const got = await callTool(call, t, "get_context", { id: context.id });
    expect(got.body?.result?.structuredContent).toEqual(context);
    const deleted = await callTool(call, t, "delete_context", { id: context.id });
    expect(deleted.body?.result?.structuredContent).toEqual({ deleted: context.id });
    const again = await callTool(call, t, "get_context", { id: context.id });
    expect(again.body?.result?.isError).toBe(true);
    expect(again.body?.result?.content[0]?.text).toBe(`context ${context.id} not found`);
  });

  it("answers invalid tool input with a clear tool error", async () => {
    const { call, token } = await setup();
    const { body } = await callTool(call, await token(), "get_context", { id: "not-a-uuid" });
    const text = body?.result?.content[0]?.text ?? body?.error?.message ?? "";
    expect(body?.result?.isError ?? body?.error !== undefined).toBe(true);
    expect(text).toMatch(/id/i);
  });

  it("answers a body that is not JSON with a JSON-RPC parse error", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token()),
      body: "{",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });

  it("answers GET and DELETE with 405 once authenticated (no sessions, no SSE stream)", async () => {
    const { call, token } = await setup();
    const t = await token();
    for (const method of ["GET", "DELETE"]) {
      const res = await call("/mcp", { method, headers: mcpHeaders(t) });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});

describe("MCP authorization §Scope Challenge Handling: 403 insufficient_scope", () => {
  const writes = [
    ["create_context", { title: "x", content: "y" }],
    ["delete_context", { id: crypto.randomUUID() }],
  ] as const;

  it.each(writes)("refuses %s to a read-only token (seed defect)", async (name, args) => {
    const { call, token } = await setup();
    const { res, body } = await callTool(
      call,
      await token({ scope: `openid ${READ}` }),
      name,
      args,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="this operation needs the scopes ${READ} ${WRITE}", scope="${READ} ${WRITE}", resource_metadata="${PRM_URL}"`,
    );
    expect(body).toEqual({
      error: "insufficient_scope",
      error_description: `this operation needs the scopes ${READ} ${WRITE}`,
    });
  });

  it("lets a read-only token read", async () => {
    const { call, token } = await setup();
    const { res, body } = await callTool(call, await token({ scope: READ }), "list_contexts");
    expect(res.status).toBe(200);
    expect(body?.result?.isError).toBeUndefined();
  });

  it("refuses any MCP request to a token without the read scope", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token({ scope: "openid email" })),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain(`scope="${READ}"`);
  });

  it("checks every message of a batch", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token({ scope: READ })),
      body: `[${rpc("tools/call", { name: "whoami" })},${rpc("tools/call", { name: "create_context", arguments: { title: "a", content: "b" } })}]`,
    });
    expect(res.status).toBe(403);
  });
});

describe("per-user storage: one user never sees another's data", () => {
  it("keeps contexts apart by the token's sub", async () => {
    const { call, token } = await setup();
    const alice = await token({ sub: crypto.randomUUID(), username: "alice" });
    const bob = await token({ sub: crypto.randomUUID(), username: "bob" });
    const created = await callTool(call, alice, "create_context", {
      title: "secret",
      content: "a",
    });
    const { id } = (created.body?.result?.structuredContent ?? {}) as { id: string };

    expect((await callTool(call, bob, "list_contexts")).body?.result?.structuredContent).toEqual({
      contexts: [],
    });
    expect((await callTool(call, bob, "get_context", { id })).body?.result?.isError).toBe(true);
    expect((await callTool(call, bob, "delete_context", { id })).body?.result?.isError).toBe(true);
    const rest = await call("/v1/contexts", { headers: { authorization: `Bearer ${bob}` } });
    expect(await rest.json()).toEqual({ contexts: [] });

    const mine = await callTool(call, alice, "get_context", { id });
    expect(mine.body?.result?.structuredContent).toMatchObject({ id, title: "secret" });
  });
});

describe("REST /v1/contexts serves the same data", () => {
  it("creates with POST and lists with GET, as the tools see them", async () => {
    const { call, token } = await setup();
    const t = await token({ sub: crypto.randomUUID() });
    const res = await call("/v1/contexts", {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "From REST", content: "body" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = (await res.json()) as { id: string };
    const listed = await call("/v1/contexts", { headers: { authorization: `Bearer ${t}` } });
    expect(await listed.json()).toEqual({ contexts: [created] });
    const viaTool = await callTool(call, t, "list_contexts");
    expect(viaTool.body?.result?.structuredContent).toEqual({ contexts: [created] });
  });

  it("names the field of an invalid body", async () => {
    const { call, token } = await setup();
    const res = await call("/v1/contexts", {
      method: "POST",
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "no title" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: '"title" must be a non-empty string of at most 200 characters',
    });
  });

  it("refuses POST to a read-only token with 403", async () => {
    const { call, token } = await setup();
    const res = await call("/v1/contexts", {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ scope: READ })}` },
      body: JSON.stringify({ title: "x", content: "y" }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("answers 401 with the challenge without a token", async () => {
    const { call } = await setup();
    const res = await call("/v1/contexts");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`resource_metadata="${PRM_URL}"`);
  });
});
