import { signInDemoUser, type Tokens } from "@mcp-cognito-workers/test-support/sign-in";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpRsVars, startServers } from "./servers";

const READ = mcpRsVars.READ_SCOPE ?? "";
const WRITE = mcpRsVars.WRITE_SCOPE ?? "";

let servers: Awaited<ReturnType<typeof startServers>>;
let full: Tokens;
let readOnly: Tokens;

function tokens(scope: string) {
  return signInDemoUser(servers.cognito, {
    loginOrigin: servers.loginOrigin,
    scope,
    resource: servers.mcpUrl,
  });
}

async function connect(accessToken: string) {
  const client = new Client({ name: "mcp-rs-wire-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(servers.mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
  });
  await client.connect(transport);
  return client;
}

function structured(result: Awaited<ReturnType<Client["callTool"]>>) {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

beforeAll(async () => {
  servers = await startServers();
  full = await tokens(`openid ${READ} ${WRITE}`);
  readOnly = await tokens(`openid ${READ}`);
});

afterAll(async () => {
  await servers?.dispose();
});

describe("mcp-rs with cognito-local, as an MCP client sees it", () => {
  it("challenges a request without a token (curl -i /mcp)", async () => {
    const res = await fetch(servers.mcpUrl);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer scope="${READ}", resource_metadata="${servers.mcpOrigin}/.well-known/oauth-protected-resource/mcp"`,
    );
    const prm = (await (
      await fetch(`${servers.mcpOrigin}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as { resource: string };
    expect(prm.resource).toBe(servers.mcpUrl);
  });

  it("lists and calls every tool through the official SDK client", async () => {
    const client = await connect(full.access_token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        "create_context",
        "delete_context",
        "get_context",
        "list_contexts",
        "whoami",
      ]);

      const me = structured(await client.callTool({ name: "whoami" }));
      expect(me.username).toBe(servers.cognito.vars.DEMO_USERNAME);
      expect(me.client_id).toBe(servers.cognito.vars.STATIC_CLIENT_ID);
      expect(me.scopes).toEqual(expect.arrayContaining([READ, WRITE]));
      expect(me.audience).toEqual([servers.mcpUrl]);

      const created = structured(
        await client.callTool({
          name: "create_context",
          arguments: { title: "wire", content: "from the SDK client" },
        }),
      );
      const listed = structured(await client.callTool({ name: "list_contexts" }));
      expect(listed.contexts).toContainEqual(created);
      const got = structured(
        await client.callTool({ name: "get_context", arguments: { id: created.id } }),
      );
      expect(got).toEqual(created);
      expect(
        structured(
          await client.callTool({ name: "delete_context", arguments: { id: created.id } }),
        ),
      ).toEqual({ deleted: created.id });
      const gone = await client.callTool({ name: "get_context", arguments: { id: created.id } });
      expect(gone.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("answers 403 insufficient_scope when a read-only token writes", async () => {
    const client = await connect(readOnly.access_token);
    try {
      expect(structured(await client.callTool({ name: "list_contexts" }))).toHaveProperty(
        "contexts",
      );
      await expect(
        client.callTool({ name: "create_context", arguments: { title: "no", content: "no" } }),
      ).rejects.toMatchObject({ code: 403 });
    } finally {
      await client.close();
    }
    const res = await fetch(servers.mcpUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${readOnly.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "create_context", arguments: { title: "no", content: "no" } },
      }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain(
      `error="insufficient_scope", error_description="this operation needs the scopes ${READ} ${WRITE}", scope="${READ} ${WRITE}"`,
    );
  });

  it("refuses the ID token as an access token", async () => {
    const res = await fetch(servers.mcpUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${full.id_token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("serves the same data over REST", async () => {
    const headers = { authorization: `Bearer ${full.access_token}` };
    const created = await fetch(`${servers.mcpOrigin}/v1/contexts`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ title: "rest", content: "x" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const client = await connect(full.access_token);
    try {
      const got = structured(await client.callTool({ name: "get_context", arguments: { id } }));
      expect(got.title).toBe("rest");
    } finally {
      await client.close();
    }
  });
});
