import { describe, expect, it } from "vitest";
import { createMcpEndpoint } from "../src/mcp/endpoint";
import {
  buildCaller,
  callLegacy,
  callModern,
  mcpHeaders,
  modernHeaders,
  modernRpc,
  RESOURCE,
  rpc,
  setup,
} from "./support";

describe("one MCP handler per app: each request is served for its own caller", () => {
  it("answers interleaved requests of several users, on both wires, each as its own subject", async () => {
    const { call, token } = await setup();
    const users = await Promise.all(
      ["alice", "bob", "carol", "dave"].map(async (username, i) => ({
        username,
        token: await token({ sub: `${i}0000000-2222-4333-8444-555555555555`, username }),
      })),
    );
    const answers = await Promise.all(
      [1, 2, 3].flatMap(() =>
        users.flatMap((user) =>
          [callModern, callLegacy].map(async (send) => {
            const { res, body } = await send(call, user.token, "tools/call", { name: "whoami" });
            expect(res.status).toBe(200);
            return { expected: user.username, got: body.result?.structuredContent };
          }),
        ),
      ),
    );
    expect(answers).toHaveLength(24);
    for (const { expected, got } of answers) expect(got).toMatchObject({ username: expected });
  });

  it("builds each request's server from that request's caller, even when requests overlap", async () => {
    const serve = createMcpEndpoint();
    const callerOf = (username: string, i: number) =>
      buildCaller(username, {
        scopes: ["mcp-api/read"],
        sub: `${i}0000000-2222-4333-8444-555555555555`,
      });
    const params = { name: "whoami", arguments: {} };
    const requests = ["alice", "bob", "carol"].flatMap((username, i) => [
      { username, modern: true, caller: callerOf(username, i) },
      { username, modern: false, caller: callerOf(username, i) },
    ]);
    // Started together: each one's first await lets the others run up to theirs.
    const answers = await Promise.all(
      requests.map(async ({ username, modern, caller }) => {
        const text = modern ? modernRpc("tools/call", params) : rpc("tools/call", params);
        const headers = modern ? modernHeaders("t", "tools/call", params) : mcpHeaders("t");
        const request = new Request(RESOURCE, { method: "POST", headers, body: text });
        const res = await serve(request, JSON.parse(text), caller);
        const body = (await res.json()) as { result?: { structuredContent?: unknown } };
        return { username, got: body.result?.structuredContent };
      }),
    );
    for (const { username, got } of answers) expect(got).toMatchObject({ username });
  });
});
