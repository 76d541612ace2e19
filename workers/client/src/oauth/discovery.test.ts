import { describe, expect, it } from "vitest";
import { createFakeFetch, json, notFound } from "../../test/fake-fetch";
import {
  buildAuthorizationServerMetadataUrls,
  buildProtectedResourceMetadataUrls,
  discoverAuthorizationServer,
  discoverProtectedResource,
} from "./discovery";
import type { TraceStep } from "./http";

const MCP = new URL("http://localhost:3001/mcp");
const PRM_PATH = "http://localhost:3001/.well-known/oauth-protected-resource/mcp";
const PRM_ROOT = "http://localhost:3001/.well-known/oauth-protected-resource";
const prm = {
  resource: "http://localhost:3001/mcp",
  authorization_servers: ["http://localhost:3002"],
  scopes_supported: ["mcp-api/read", "mcp-api/write"],
};

describe("RFC 9728 protected-resource metadata discovery order", () => {
  it("uses the challenge's resource_metadata alone when given", () => {
    expect(
      buildProtectedResourceMetadataUrls(MCP, "http://localhost:3001/prm").map(String),
    ).toEqual(["http://localhost:3001/prm"]);
  });
  it("tries the path-inserted URL, then the root one", () => {
    expect(buildProtectedResourceMetadataUrls(MCP).map(String)).toEqual([PRM_PATH, PRM_ROOT]);
    expect(
      buildProtectedResourceMetadataUrls(new URL("http://localhost:3001/")).map(String),
    ).toEqual([PRM_ROOT]);
  });

  it("falls back to the root URL and records both steps", async () => {
    const net = createFakeFetch({ [PRM_PATH]: notFound, [PRM_ROOT]: () => json(prm) });
    const trace: TraceStep[] = [];
    const found = await discoverProtectedResource(MCP, undefined, {
      fetch: net.fetch,
      trace: (step) => trace.push(step),
    });
    expect(found).toEqual({
      metadataUrl: PRM_ROOT,
      resource: "http://localhost:3001/mcp",
      authorizationServers: ["http://localhost:3002"],
      scopesSupported: ["mcp-api/read", "mcp-api/write"],
    });
    expect(net.calls.map((call) => call.url)).toEqual([PRM_PATH, PRM_ROOT]);
    expect(trace.map((step) => [step.url, step.status])).toEqual([
      [PRM_PATH, 404],
      [PRM_ROOT, 200],
      [PRM_ROOT, undefined],
    ]);
  });

  it("accepts a resource that is a path prefix of the server URL", async () => {
    const net = createFakeFetch({
      [PRM_PATH]: () => json({ ...prm, resource: "http://localhost:3001/" }),
    });
    const found = await discoverProtectedResource(MCP, undefined, { fetch: net.fetch });
    expect(found.resource).toBe("http://localhost:3001");
  });

  it("refuses a resource of another origin", async () => {
    const net = createFakeFetch({
      [PRM_PATH]: () => json({ ...prm, resource: "http://evil.example/mcp" }),
    });
    await expect(discoverProtectedResource(MCP, undefined, { fetch: net.fetch })).rejects.toThrow(
      '"resource" http://evil.example/mcp does not cover http://localhost:3001/mcp',
    );
  });

  it("refuses metadata without authorization servers", async () => {
    const net = createFakeFetch({
      [PRM_PATH]: () => json({ ...prm, authorization_servers: [] }),
    });
    await expect(discoverProtectedResource(MCP, undefined, { fetch: net.fetch })).rejects.toThrow(
      '"authorization_servers" must be a non-empty array of URLs',
    );
  });

  it("fails when neither URL answers", async () => {
    const net = createFakeFetch({ [PRM_PATH]: notFound, [PRM_ROOT]: notFound });
    await expect(
      discoverProtectedResource(MCP, undefined, { fetch: net.fetch }),
    ).rejects.toMatchObject({ code: "resource_metadata_not_found" });
  });

  it("refuses plain http off loopback", async () => {
    const net = createFakeFetch({});
    await expect(
      discoverProtectedResource(new URL("http://mcp.example/mcp"), undefined, { fetch: net.fetch }),
    ).rejects.toMatchObject({ code: "insecure_url" });
    expect(net.calls).toHaveLength(0);
  });
});

const COGNITO = "http://localhost:9229/us-east-1_LocalDev01";
const asMetadata = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  authorization_endpoint: "http://localhost:9229/oauth2/authorize",
  token_endpoint: "http://localhost:9229/oauth2/token",
  response_types_supported: ["code"],
  code_challenge_methods_supported: ["S256"],
  ...extra,
});

describe("MCP 2025-11-25 authorization-server metadata discovery order", () => {
  it("with a path: RFC 8414 path-inserted, OIDC path-inserted, OIDC appended", () => {
    expect(buildAuthorizationServerMetadataUrls(new URL(COGNITO)).map(String)).toEqual([
      "http://localhost:9229/.well-known/oauth-authorization-server/us-east-1_LocalDev01",
      "http://localhost:9229/.well-known/openid-configuration/us-east-1_LocalDev01",
      "http://localhost:9229/us-east-1_LocalDev01/.well-known/openid-configuration",
    ]);
  });
  it("without a path: RFC 8414, then OIDC", () => {
    expect(
      buildAuthorizationServerMetadataUrls(new URL("http://localhost:3002")).map(String),
    ).toEqual([
      "http://localhost:3002/.well-known/oauth-authorization-server",
      "http://localhost:3002/.well-known/openid-configuration",
    ]);
  });

  it("walks the order until Cognito's appended OIDC document answers", async () => {
    const [oauthUrl, oidcInserted, oidcAppended] = buildAuthorizationServerMetadataUrls(
      new URL(COGNITO),
    ).map(String) as [string, string, string];
    const net = createFakeFetch({
      [oauthUrl]: notFound,
      [oidcInserted]: notFound,
      [oidcAppended]: () => json(asMetadata(COGNITO)),
    });
    const as = await discoverAuthorizationServer(COGNITO, { fetch: net.fetch });
    expect(as.issuer).toBe(COGNITO);
    expect(net.calls.map((call) => call.url)).toEqual([oauthUrl, oidcInserted, oidcAppended]);
  });

  it("refuses a document whose issuer differs from the one it was looked up for", async () => {
    const net = createFakeFetch({
      "http://localhost:3002/.well-known/oauth-authorization-server": () =>
        json(asMetadata("http://localhost:9999")),
    });
    await expect(
      discoverAuthorizationServer("http://localhost:3002", { fetch: net.fetch }),
    ).rejects.toThrow('"response" body "issuer" property does not match the expected value');
  });

  it("refuses to proceed without code_challenge_methods_supported S256", async () => {
    const net = createFakeFetch({
      "http://localhost:3002/.well-known/oauth-authorization-server": () =>
        json(asMetadata("http://localhost:3002", { code_challenge_methods_supported: undefined })),
    });
    await expect(
      discoverAuthorizationServer("http://localhost:3002", { fetch: net.fetch }),
    ).rejects.toMatchObject({ code: "pkce_unsupported" });
  });

  it("fails when no document is found", async () => {
    const net = createFakeFetch({
      "http://localhost:3002/.well-known/oauth-authorization-server": notFound,
      "http://localhost:3002/.well-known/openid-configuration": notFound,
    });
    await expect(
      discoverAuthorizationServer("http://localhost:3002", { fetch: net.fetch }),
    ).rejects.toMatchObject({ code: "authorization_server_not_found" });
    expect(net.calls).toHaveLength(2);
  });
});
