import { describe, expect, it } from "vitest";
import { createFakeFetch, json, notFound } from "../../test/fake-fetch";
import type { TraceStep } from "./http";
import { discoverFromServer } from "./probe";

const MCP = "http://localhost:3001/mcp";
const PRM = "http://localhost:3001/.well-known/oauth-protected-resource/mcp";
const FACADE = "http://localhost:3002";

function stack(challenge: string) {
  return createFakeFetch({
    [MCP]: () =>
      new Response(JSON.stringify({ error: "invalid_token" }), {
        status: 401,
        headers: { "www-authenticate": challenge },
      }),
    [PRM]: () =>
      json({
        resource: MCP,
        authorization_servers: [FACADE],
        scopes_supported: ["mcp-api/read", "mcp-api/write"],
      }),
    [`${FACADE}/.well-known/oauth-authorization-server`]: () =>
      json({
        issuer: FACADE,
        authorization_endpoint: "http://localhost:9229/oauth2/authorize",
        token_endpoint: "http://localhost:9229/oauth2/token",
        registration_endpoint: `${FACADE}/register`,
        code_challenge_methods_supported: ["S256"],
      }),
    [`${FACADE}/.well-known/openid-configuration`]: notFound,
  });
}

describe("MCP discovery from a 401: challenge → PRM → AS metadata", () => {
  it("follows resource_metadata and takes the challenge's scope", async () => {
    const net = stack(`Bearer resource_metadata="${PRM}", scope="mcp-api/read"`);
    const trace: TraceStep[] = [];
    const found = await discoverFromServer(new URL(MCP), {
      fetch: net.fetch,
      trace: (step) => trace.push(step),
    });
    expect(found.authorizationServer.issuer).toBe(FACADE);
    expect(found.protectedResource.resource).toBe(MCP);
    expect(found.scopes).toEqual(["mcp-api/read"]);
    expect(net.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `POST ${MCP}`,
      `GET ${PRM}`,
      `GET ${FACADE}/.well-known/oauth-authorization-server`,
    ]);
    expect(trace[0]).toEqual({
      step: "MCP request without a token",
      url: MCP,
      status: 401,
      fields: { resource_metadata: PRM, scope: "mcp-api/read" },
    });
  });

  it("without resource_metadata, uses the path-inserted URL and scopes_supported", async () => {
    const net = stack("Bearer");
    const found = await discoverFromServer(new URL(MCP), { fetch: net.fetch });
    expect(found.scopes).toEqual(["mcp-api/read", "mcp-api/write"]);
    expect(net.callsTo(PRM)).toHaveLength(1);
  });

  it("fails when the server does not answer 401", async () => {
    const net = createFakeFetch({ [MCP]: () => json({}) });
    await expect(discoverFromServer(new URL(MCP), { fetch: net.fetch })).rejects.toMatchObject({
      code: "no_challenge",
    });
  });
});
