import { describe, expect, it } from "vitest";
import { callModern, ENVELOPE, mcpHeaders, modernHeaders, rpc, setup } from "./support";

const VERSION_KEY = "io.modelcontextprotocol/protocolVersion";

describe("MCP 2026-07-28 §Protocol Version Header: -32022 names what server/discover lists", () => {
  it("answers a per-request envelope naming an unknown revision with the discover versions", async () => {
    const { call, token } = await setup();
    const t = await token();
    const discover = await callModern(call, t, "server/discover");
    const { supportedVersions } = discover.body.result as { supportedVersions: string[] };

    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(t, "server/discover", {}, { "mcp-protocol-version": "v999.0.0" }),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 11,
        method: "server/discover",
        params: { _meta: { ...ENVELOPE, [VERSION_KEY]: "v999.0.0" } },
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: "2.0",
      id: 11,
      error: {
        code: -32022,
        message: "Unsupported protocol version: v999.0.0",
        data: { supported: supportedVersions, requested: "v999.0.0" },
      },
    });
    expect(supportedVersions).toEqual(["2026-07-28"]);
  });

  it("names every revision served to a request without the envelope (initialize era)", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token(), { "mcp-protocol-version": "v999.0.0" }),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { supported: string[] } } };
    expect(body.error.data.supported).toEqual([
      "2026-07-28",
      "2025-11-25",
      "2025-06-18",
      "2025-03-26",
      "2024-11-05",
      "2024-10-07",
    ]);
  });
});
