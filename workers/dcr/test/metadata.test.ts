import { env } from "cloudflare:test";
import * as oauth from "oauth4webapi";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { COGNITO_ISSUER, discoveryFor, expectOAuthError, ISSUER, setup } from "./support";

describe("RFC 8414 authorization-server metadata", () => {
  it("is accepted by oauth4webapi for this issuer, with the front door's endpoints", async () => {
    const { call } = setup();
    const response = await call("/.well-known/oauth-authorization-server");
    expect(response.status).toBe(200);
    const as = await oauth.processDiscoveryResponse(new URL(ISSUER), response);
    const origin = new URL(COGNITO_ISSUER).origin;
    expect(as).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      revocation_endpoint: `${ISSUER}/revoke`,
      userinfo_endpoint: `${origin}/oauth2/userInfo`,
      jwks_uri: `${COGNITO_ISSUER}/.well-known/jwks.json`,
      registration_endpoint: `${ISSUER}/register`,
      scopes_supported: ["openid", "email", "profile", "mcp-api/read", "mcp-api/write"],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      revocation_endpoint_auth_methods_supported: [
        "client_secret_basic",
        "client_secret_post",
        "none",
      ],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  });

  it("is also served as OpenID discovery, and CORS-readable", async () => {
    const { call } = setup();
    const response = await call("/.well-known/openid-configuration", {
      headers: { origin: "http://localhost:6274" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const as = await oauth.processDiscoveryResponse(new URL(ISSUER), response);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
  });

  it("fetches Cognito's discovery once and caches it", async () => {
    const { call, cognito } = setup();
    await call("/.well-known/oauth-authorization-server");
    await call("/.well-known/openid-configuration");
    expect(cognito.discoveryFetches).toBe(1);
  });

  it("takes the issuer from the request when ISSUER is empty", async () => {
    const { worker, env } = setup();
    const response = await worker.fetch(
      new Request("https://dcr.example.com/.well-known/oauth-authorization-server"),
      { ...env, ISSUER: "" },
      {} as ExecutionContext,
    );
    const as = await oauth.processDiscoveryResponse(new URL("https://dcr.example.com"), response);
    expect(as.registration_endpoint).toBe("https://dcr.example.com/register");
  });

  it("lists client_credentials only when policy allows it", async () => {
    const { call } = setup({ vars: { ALLOW_CLIENT_CREDENTIALS: "true" } });
    const body = (await (await call("/.well-known/oauth-authorization-server")).json()) as {
      grant_types_supported: string[];
    };
    expect(body.grant_types_supported).toContain("client_credentials");
  });

  it("answers 503 with Retry-After when Cognito's discovery names another issuer", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const worker = createApp({
      fetch: async () => Response.json({ ...discoveryFor(COGNITO_ISSUER), issuer: "https://evil" }),
    });
    const response = await worker.fetch(
      new Request(`${ISSUER}/.well-known/oauth-authorization-server`),
      env,
      {} as ExecutionContext,
    );
    expect(response.headers.get("retry-after")).toBe("10");
    await expectOAuthError(response, 503, "temporarily_unavailable");
    const line = JSON.parse(String(errors.mock.calls[0]?.[0]));
    expect([line.level, line.event, line.issuer]).toEqual([
      "error",
      "discovery_failed",
      COGNITO_ISSUER,
    ]);
    errors.mockRestore();
  });
});

describe("unknown paths", () => {
  it("answer a JSON 404", async () => {
    const { call } = setup();
    await expectOAuthError(await call("/nope"), 404, "invalid_request", "not found");
  });
});
