import { env } from "cloudflare:test";
import {
  CLIENT_SEEN_WRITE_INTERVAL_SECONDS,
  type ClientSeen,
  clientSeenKey,
} from "@mcp-cognito-workers/registrations";
import { describe, expect, it } from "vitest";
import { mcpHeaders, rpc, setup } from "./support";

async function marker(clientId: string) {
  return env.REGISTRATIONS.getWithMetadata<ClientSeen, ClientSeen>(clientSeenKey(clientId), "json");
}

describe("last use of a client, for workers/dcr's stale-registration cleanup", () => {
  it("records the client of a valid token at most once per interval", async () => {
    const { call, token, clock } = await setup();
    const clientId = `seen${crypto.randomUUID().replace(/-/g, "").slice(0, 22)}`;
    const send = async () =>
      call("/mcp", {
        method: "POST",
        headers: mcpHeaders(await token({ client_id: clientId })),
        body: rpc("tools/list"),
      });
    expect((await send()).status).toBe(200);
    const first = Math.floor(clock.now / 1000);
    expect(await marker(clientId)).toEqual({
      value: { clientId, seenAt: first },
      metadata: { clientId, seenAt: first },
      cacheStatus: null,
    });

    clock.now += 3600_000;
    expect((await send()).status).toBe(200);
    expect((await marker(clientId)).metadata?.seenAt).toBe(first);

    clock.now += CLIENT_SEEN_WRITE_INTERVAL_SECONDS * 1000;
    expect((await send()).status).toBe(200);
    expect((await marker(clientId)).metadata?.seenAt).toBe(Math.floor(clock.now / 1000));
  });

  it("records nothing for a refused token", async () => {
    const { call, token } = await setup();
    const clientId = "neverseen00000000000000001";
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token({ client_id: clientId, iss: "https://elsewhere" })),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(401);
    expect((await marker(clientId)).value).toBeNull();
  });
});
