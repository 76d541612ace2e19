import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES } from "../src/middleware/body-limit";
import { mcpHeaders, modernHeaders, modernRpc, rpc, setup } from "./support";

describe("Streamable HTTP §Security: Origin validation", () => {
  it("refuses a foreign Origin with 403 before anything else", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token(), { origin: "https://evil.example.com" }),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: "forbidden_origin",
      error_description: "this origin may not call this server",
    });
  });

  it.each([["http://localhost:3001"], ["http://localhost:6274"], ["http://127.0.0.1:8080"]])(
    "allows %s (own origin or configured localhost)",
    async (origin) => {
      const { call, token } = await setup();
      const res = await call("/mcp", {
        method: "POST",
        headers: mcpHeaders(await token(), { origin }),
        body: rpc("tools/list"),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
      expect(res.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    },
  );

  it("refuses a localhost look-alike", async () => {
    const { call } = await setup();
    const res = await call("/mcp", { headers: { origin: "http://localhost.evil.com:3001" } });
    expect(res.status).toBe(403);
  });
});

describe("CORS for browser clients", () => {
  it("lets an allowed origin read the challenge of a 401 and a 403", async () => {
    const origin = "http://localhost:6274";
    const { call, token } = await setup();
    const unauthenticated = await call("/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: rpc("tools/list"),
    });
    const forbidden = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token({ scope: "openid" }), { origin }),
      body: rpc("tools/list"),
    });
    for (const [res, status] of [
      [unauthenticated, 401],
      [forbidden, 403],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("answers a preflight without a token", async () => {
    const { call } = await setup();
    const res = await call("/mcp", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:6274",
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "authorization, mcp-protocol-version, mcp-method, mcp-name",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    for (const header of ["authorization", "mcp-protocol-version", "mcp-method", "mcp-name"])
      expect(res.headers.get("access-control-allow-headers")).toContain(header);
  });

  it("exposes WWW-Authenticate on a 401, so a browser client can discover", async () => {
    const { call } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: { origin: "http://localhost:6274" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
  });
});

describe("Streamable HTTP §Protocol Version Header", () => {
  it.each([["2025-06-18"], ["2025-11-25"]])("accepts %s", async (version) => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token(), { "mcp-protocol-version": version }),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(200);
  });

  it("accepts 2026-07-28 with its per-request envelope and headers", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: modernHeaders(await token(), "tools/list"),
      body: modernRpc("tools/list"),
    });
    expect(res.status).toBe(200);
  });

  it("answers an unsupported version with 400 and JSON-RPC -32022 naming the supported ones", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token(), { "mcp-protocol-version": "1999-01-01" }),
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: "2.0",
      id: 7,
      error: {
        code: -32022,
        message: "Unsupported protocol version: 1999-01-01",
        data: {
          supported: [
            "2026-07-28",
            "2025-11-25",
            "2025-06-18",
            "2025-03-26",
            "2024-11-05",
            "2024-10-07",
          ],
          requested: "1999-01-01",
        },
      },
    });
  });
});

describe("limits and JSON errors", () => {
  it("refuses a body over the limit with 413 JSON", async () => {
    const { call, token } = await setup();
    const res = await call("/mcp", {
      method: "POST",
      headers: mcpHeaders(await token()),
      body: JSON.stringify({ padding: "x".repeat(MAX_REQUEST_BYTES) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("payload_too_large");
  });

  it("answers an unknown route with 404 JSON", async () => {
    const { call } = await setup();
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found", error_description: "no such route" });
  });

  it("serves the trivial health route without a token", async () => {
    const { call } = await setup();
    expect(await (await call("/health")).json()).toEqual({ status: "ok" });
  });
});
