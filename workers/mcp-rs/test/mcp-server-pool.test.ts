import type { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { createMcpEndpoint } from "../src/mcp/endpoint";
import { buildMcpServer, type McpCaller, type McpCallerSeat } from "../src/mcp/server";
import {
  buildCaller,
  ENVELOPE,
  mcpHeaders,
  messagesOf,
  modernHeaders,
  modernRpc,
  RESOURCE,
  rpc,
} from "./support";

const LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel";
const CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo";
const CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";

/** What a handler saw of the server it ran on. */
interface Served {
  server: McpServer;
  sub: string;
  clientVersion: unknown;
  clientCapabilities: unknown;
  protocolVersion: unknown;
}

/**
 * An endpoint whose servers are watched: every server built, and, for each handler run, the
 * server it ran on and what that server held of the client. `hold` keeps a caller's handlers
 * waiting until released.
 */
function watchedEndpoint() {
  const built: McpServer[] = [];
  const served: Served[] = [];
  const held = new Map<string, Promise<void>>();
  const buildServer = (seat: McpCallerSeat) => {
    const server: McpServer = buildMcpServer({
      run: (work) =>
        seat.run(async (caller) => {
          served.push({
            server,
            sub: caller.principal.sub,
            clientVersion: server.server.getClientVersion(),
            clientCapabilities: server.server.getClientCapabilities(),
            protocolVersion: server.server.getNegotiatedProtocolVersion(),
          });
          await held.get(caller.principal.sub);
          return work(caller);
        }),
    });
    built.push(server);
    return server;
  };
  return { serve: createMcpEndpoint({ buildServer }), built, served, held };
}

const callerOf = (username: string) => buildCaller(username);

type Serve = ReturnType<typeof createMcpEndpoint>;

/** The structured result of the last message of an answer. */
function resultOf(messages: Record<string, unknown>[]) {
  return (messages.at(-1) as { result?: { structuredContent?: Record<string, unknown> } }).result
    ?.structuredContent;
}

async function sendModern(
  serve: Serve,
  caller: McpCaller,
  method: string,
  params: Record<string, unknown>,
  meta: Record<string, unknown> = ENVELOPE,
  signal?: AbortSignal,
) {
  const text = modernRpc(method, params, meta);
  const request = new Request(RESOURCE, {
    method: "POST",
    headers: modernHeaders("t", method, params),
    body: text,
    signal,
  });
  return serve(request, JSON.parse(text), caller);
}

async function sendLegacy(
  serve: Serve,
  caller: McpCaller,
  method: string,
  params: Record<string, unknown>,
) {
  const text = rpc(method, params);
  const request = new Request(RESOURCE, { method: "POST", headers: mcpHeaders("t"), body: text });
  return serve(request, JSON.parse(text), caller);
}

const save = (title: string) => ({
  name: "create_context",
  arguments: { title, content: "x" },
});
const listContexts = { name: "list_contexts", arguments: {} };
const whoami = { name: "whoami", arguments: {} };

describe("pooled MCP servers: callers taking turns share servers, and nothing else", () => {
  it("2026-07-28: results, log notifications and client identity stay with their exchange", async () => {
    const { serve, built, served } = watchedEndpoint();
    const alice = callerOf("alice");
    const bob = callerOf("bob");
    const aliceEnvelope = {
      ...ENVELOPE,
      [CLIENT_INFO_KEY]: { name: "alice-client", version: "1" },
      [CLIENT_CAPABILITIES_KEY]: { elicitation: {} },
      [LOG_LEVEL_KEY]: "info",
    };
    const bobEnvelope = { ...ENVELOPE, [CLIENT_INFO_KEY]: { name: "bob-client", version: "2" } };

    const aliceSaved = await messagesOf(
      await sendModern(serve, alice, "tools/call", save("alice's"), aliceEnvelope),
    );
    expect(aliceSaved.map((message) => message.method)).toEqual([
      "notifications/message",
      undefined,
    ]);
    // Bob asked for no log level: his answer is the result alone, as JSON.
    const bobSaved = await sendModern(serve, bob, "tools/call", save("bob's"), bobEnvelope);
    expect(bobSaved.headers.get("content-type")).toContain("application/json");
    const bobMessages = await messagesOf(bobSaved);
    expect(bobMessages).toHaveLength(1);
    expect(resultOf(bobMessages)).toMatchObject({ title: "bob's" });

    const titles = async (caller: McpCaller, meta: Record<string, unknown>) => {
      const messages = await messagesOf(
        await sendModern(serve, caller, "tools/call", listContexts, meta),
      );
      return ((resultOf(messages)?.contexts ?? []) as { title: string }[]).map(
        ({ title }) => title,
      );
    };
    expect(await titles(bob, bobEnvelope)).toEqual(["bob's"]);
    expect(await titles(alice, aliceEnvelope)).toEqual(["alice's"]);

    // One server served the four exchanges, each with its own caller and client.
    expect(built).toHaveLength(1);
    expect(
      served.map(({ sub, clientVersion, clientCapabilities, protocolVersion }) => ({
        sub,
        client: (clientVersion as { name: string }).name,
        clientCapabilities,
        protocolVersion,
      })),
    ).toEqual([
      {
        sub: alice.principal.sub,
        client: "alice-client",
        clientCapabilities: { elicitation: {} },
        protocolVersion: "2026-07-28",
      },
      {
        sub: bob.principal.sub,
        client: "bob-client",
        clientCapabilities: {},
        protocolVersion: "2026-07-28",
      },
      {
        sub: bob.principal.sub,
        client: "bob-client",
        clientCapabilities: {},
        protocolVersion: "2026-07-28",
      },
      {
        sub: alice.principal.sub,
        client: "alice-client",
        clientCapabilities: { elicitation: {} },
        protocolVersion: "2026-07-28",
      },
    ]);

    // An envelope without clientInfo would not overwrite the client a shared server holds: such
    // an exchange gets a server of its own.
    const { [CLIENT_INFO_KEY]: _, ...anonymousEnvelope } = ENVELOPE;
    const anonymous = await messagesOf(
      await sendModern(serve, bob, "tools/call", whoami, anonymousEnvelope),
    );
    expect(resultOf(anonymous)).toMatchObject({ sub: bob.principal.sub });
    expect(served.at(-1)).toMatchObject({ sub: bob.principal.sub, clientVersion: undefined });
    expect(built).toHaveLength(2);
    expect(served.at(-1)?.server).toBe(built[1]);
  });

  it("initialize-era: a server that served initialize or logging/setLevel serves no one else", async () => {
    const { serve, built, served } = watchedEndpoint();
    const alice = callerOf("alice");
    const bob = callerOf("bob");

    const initialized = await sendLegacy(serve, alice, "initialize", {
      protocolVersion: "2025-06-18",
      capabilities: { sampling: {} },
      clientInfo: { name: "alice-client", version: "1" },
    });
    expect(initialized.status).toBe(200);
    const setLevel = await sendLegacy(serve, alice, "logging/setLevel", { level: "debug" });
    expect(setLevel.status).toBe(200);

    const bobAnswer = await messagesOf(await sendLegacy(serve, bob, "tools/call", whoami));
    expect(resultOf(bobAnswer)).toMatchObject({ sub: bob.principal.sub, username: "bob" });
    expect(served.at(-1)).toMatchObject({
      sub: bob.principal.sub,
      clientVersion: undefined,
      clientCapabilities: undefined,
      protocolVersion: undefined,
    });
    expect(built).toHaveLength(3);
    expect(served.at(-1)?.server).toBe(built[2]);
    // Bob's save is answered alone, as JSON, whatever level Alice set.
    const bobSaved = await messagesOf(await sendLegacy(serve, bob, "tools/call", save("bob's")));
    expect(bobSaved).toHaveLength(1);
    expect(resultOf(bobSaved)).toMatchObject({ title: "bob's" });

    // Bob's server, back in the pool, serves Alice's next call, for Alice.
    const aliceAnswer = await messagesOf(
      await sendLegacy(serve, alice, "tools/call", listContexts),
    );
    expect(resultOf(aliceAnswer)).toEqual({ contexts: [] });
    expect(built).toHaveLength(3);
    expect(served.at(-1)).toMatchObject({ server: built[2], sub: alice.principal.sub });
  });

  it("drops a server whose handler still runs when its client goes away", async () => {
    const { serve, built, served, held } = watchedEndpoint();
    const alice = callerOf("alice");
    const bob = callerOf("bob");
    let release = () => {};
    held.set(
      alice.principal.sub,
      new Promise((resolve) => {
        release = resolve;
      }),
    );
    const gone = new AbortController();
    const aliceAnswer = sendModern(
      serve,
      alice,
      "tools/call",
      save("late"),
      undefined,
      gone.signal,
    );
    await expect.poll(() => served.length).toBe(1);
    gone.abort();
    expect((await aliceAnswer).status).toBe(499);

    const bobAnswer = await messagesOf(await sendModern(serve, bob, "tools/call", whoami));
    expect(resultOf(bobAnswer)).toMatchObject({ sub: bob.principal.sub });
    expect(built).toHaveLength(2);
    expect(served.at(-1)).toMatchObject({ server: built[1], sub: bob.principal.sub });

    release();
    // Alice's handler ends on its own server, for Alice, and that server is not lent again.
    await expect.poll(async () => (await alice.contexts.list()).length).toBe(1);
    await sendModern(serve, bob, "tools/call", whoami);
    expect(served.at(-1)).toMatchObject({ server: built[1] });
    expect(built).toHaveLength(2);
  });
});
