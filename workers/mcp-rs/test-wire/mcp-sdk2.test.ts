import { signInDemoUser, type Tokens } from "@mcp-cognito-workers/test-support/sign-in";
import {
  Client,
  ProtocolError,
  ResourceNotFoundError,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpRsVars, startServers } from "./servers";

// The SDK 2.x client on the 2026-07-28 wire: no initialize, a server/discover probe, the `_meta`
// envelope and the Mcp-Method/Mcp-Name headers on every request. (mcp-sdk.test.ts drives the same
// server with the SDK 1.x client over the initialize handshake.)

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

/** A 2.x client pinned to 2026-07-28 (it never falls back to initialize), or negotiating. */
async function connect(accessToken: string, mode: "pin" | "auto" = "pin") {
  const client = new Client(
    { name: "mcp-rs-wire-test-sdk2", version: "1.0.0" },
    {
      versionNegotiation: { mode: mode === "pin" ? { pin: "2026-07-28" } : "auto" },
    },
  );
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

describe("mcp-rs on the 2026-07-28 wire, through the official SDK 2.x client", () => {
  it("negotiates 2026-07-28 with server/discover, pinned or automatic", async () => {
    for (const mode of ["pin", "auto"] as const) {
      const client = await connect(full.access_token, mode);
      try {
        expect(client.getProtocolEra()).toBe("modern");
        expect(client.getServerVersion()).toMatchObject({ name: "mcp-cognito-workers" });
      } finally {
        await client.close();
      }
    }
  });

  it("lists and calls every tool", async () => {
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
      expect(me.audience).toEqual([servers.mcpUrl]);

      const created = structured(
        await client.callTool({
          name: "create_context",
          arguments: { title: "wire 2026", content: "from the SDK 2.x client" },
        }),
      );
      expect(structured(await client.callTool({ name: "list_contexts" })).contexts).toContainEqual(
        created,
      );
      expect(
        structured(await client.callTool({ name: "get_context", arguments: { id: created.id } })),
      ).toEqual(created);
      expect(
        structured(
          await client.callTool({ name: "delete_context", arguments: { id: created.id } }),
        ),
      ).toEqual({ deleted: created.id });
    } finally {
      await client.close();
    }
  });

  it("reads contexts as resources, through the prompt, and completes their ids", async () => {
    const client = await connect(full.access_token);
    try {
      const created = structured(
        await client.callTool({
          name: "create_context",
          arguments: { title: "Glossary", content: "MCP: Model Context Protocol" },
        }),
      );
      const id = String(created.id);
      const uri = `context://${id}`;

      const { resources } = await client.listResources();
      expect(resources).toContainEqual(
        expect.objectContaining({ uri, name: "Glossary", mimeType: "text/plain" }),
      );
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(["context://{id}"]);
      const read = await client.readResource({ uri });
      expect(read.contents).toEqual([
        { uri, mimeType: "text/plain", text: "MCP: Model Context Protocol" },
      ]);

      const prompt = await client.getPrompt({ name: "use_context", arguments: { id } });
      expect(prompt.messages).toEqual([
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri, mimeType: "text/plain", text: "MCP: Model Context Protocol" },
          },
        },
      ]);

      const byTitle = await client.complete({
        ref: { type: "ref/prompt", name: "use_context" },
        argument: { name: "id", value: "Gloss" },
      });
      expect(byTitle.completion.values).toContain(id);
      const byId = await client.complete({
        ref: { type: "ref/resource", uri: "context://{id}" },
        argument: { name: "id", value: id.slice(0, 8) },
      });
      expect(byId.completion.values).toEqual([id]);

      await client.callTool({ name: "delete_context", arguments: { id } });
    } finally {
      await client.close();
    }
  });

  it("answers an unknown resource with -32602 and data.uri", async () => {
    const client = await connect(full.access_token);
    const uri = `context://${crypto.randomUUID()}`;
    try {
      const failure = await client.readResource({ uri }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ResourceNotFoundError);
      expect(failure).toMatchObject({ code: -32602, data: { uri } });
    } finally {
      await client.close();
    }
  });

  it("refuses a write to a read-only token with 403 insufficient_scope", async () => {
    const client = await connect(readOnly.access_token);
    try {
      expect(structured(await client.callTool({ name: "list_contexts" }))).toHaveProperty(
        "contexts",
      );
      const failure = await client
        .callTool({ name: "create_context", arguments: { title: "no", content: "no" } })
        .catch((error: unknown) => error);
      expect(failure).not.toBeInstanceOf(ProtocolError);
      expect(failure).toMatchObject({ requiredScope: `${READ} ${WRITE}` });
    } finally {
      await client.close();
    }
  });
});
