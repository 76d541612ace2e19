import { describe, expect, it } from "vitest";
import { FACADE, ORIGIN, READ, RESOURCE, setup, WRITE } from "./support";

describe("RFC 9728 §3: protected resource metadata", () => {
  it("serves the path-inserted document for the MCP endpoint", async () => {
    const { call } = await setup();
    const res = await call("/.well-known/oauth-protected-resource/mcp");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [FACADE],
      scopes_supported: [READ, WRITE],
      bearer_methods_supported: ["header"],
      resource_signing_alg_values_supported: ["RS256"],
      resource_name: "mcp-cognito-workers contexts",
    });
  });

  it("serves the root document with the origin as its resource", async () => {
    const { call } = await setup();
    const body = (await (await call("/.well-known/oauth-protected-resource")).json()) as {
      resource: string;
      authorization_servers: string[];
      scopes_supported: string[];
    };
    expect(body.resource).toBe(ORIGIN);
    expect(body.authorization_servers).toEqual([FACADE]);
    expect(body.scopes_supported).not.toContain("offline_access");
  });

  it("derives the resource from the request origin", async () => {
    const { app } = await setup();
    const { env } = await import("cloudflare:test");
    const res = await app.request(
      "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
      {},
      env,
    );
    expect(((await res.json()) as { resource: string }).resource).toBe(
      "https://mcp.example.com/mcp",
    );
  });

  it("uses RESOURCE_URL when configured", async () => {
    const { app } = await setup();
    const { env } = await import("cloudflare:test");
    const configured = { ...env, RESOURCE_URL: "https://api.example.com/mcp" };
    const res = await app.request(
      `${ORIGIN}/.well-known/oauth-protected-resource/mcp`,
      {},
      configured,
    );
    expect(((await res.json()) as { resource: string }).resource).toBe(
      "https://api.example.com/mcp",
    );
    const challenge = await app.request(`${ORIGIN}/mcp`, {}, configured);
    expect(challenge.headers.get("www-authenticate")).toContain(
      'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
    );
  });
});

describe("RFC 8414: the facade's metadata mirrored for 2025-03-26-era clients", () => {
  it("serves the facade's document, fetched once", async () => {
    const { call, upstream } = await setup();
    for (let i = 0; i < 3; i++) {
      const res = await call("/.well-known/oauth-authorization-server");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(upstream.facadeMetadata);
    }
    expect(upstream.count("/.well-known/oauth-authorization-server")).toBe(1);
  });

  it("answers 502 JSON when the facade is unreachable", async () => {
    const { call, upstream } = await setup();
    upstream.down = true;
    const res = await call("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: "bad_gateway",
      error_description: "the authorization server's metadata cannot be fetched",
    });
  });

  it("refuses a document whose issuer is not the facade's", async () => {
    const { call, upstream } = await setup();
    upstream.facadeMetadata = { issuer: "https://evil.example.com" };
    expect((await call("/.well-known/oauth-authorization-server")).status).toBe(502);
  });

  it("keeps the last good copy when the facade goes down", async () => {
    const { call, upstream, clock } = await setup();
    expect((await call("/.well-known/oauth-authorization-server")).status).toBe(200);
    upstream.down = true;
    clock.now += 3600_000;
    expect((await call("/.well-known/oauth-authorization-server")).status).toBe(200);
  });
});
