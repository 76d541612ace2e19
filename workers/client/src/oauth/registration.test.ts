import type * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { createFakeFetch, json } from "../../test/fake-fetch";
import { createMemoryRegistrationStore, getOrRegisterClient } from "./registration";

const as: oauth.AuthorizationServer = {
  issuer: "http://localhost:3002",
  authorization_endpoint: "http://localhost:9229/oauth2/authorize",
  token_endpoint: "http://localhost:9229/oauth2/token",
  registration_endpoint: "http://localhost:3002/register",
  code_challenge_methods_supported: ["S256"],
};
const REGISTER = "http://localhost:3002/register";
const options = {
  clientName: "MCP web client",
  redirectUris: ["http://localhost:3000/callback"],
  scope: "mcp-api/read",
};

describe("RFC 7591 registration, once per authorization server", () => {
  it("registers once, stores the result, and reuses it", async () => {
    const net = createFakeFetch({
      [REGISTER]: async (request) => {
        const body = (await request.json()) as Record<string, unknown>;
        return json(
          {
            ...body,
            client_id: "dcr-client-1",
            client_secret: "s3cret",
            client_secret_expires_at: 0,
            registration_access_token: "rat",
            registration_client_uri: "http://localhost:3002/register/dcr-client-1",
          },
          { status: 201 },
        );
      },
    });
    const store = createMemoryRegistrationStore();
    const first = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    const second = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    expect(first.registered).toBe(true);
    expect(second.registered).toBe(false);
    expect(second.registration).toEqual(first.registration);
    expect(first.registration).toEqual({
      issuer: "http://localhost:3002",
      clientId: "dcr-client-1",
      clientSecret: "s3cret",
      tokenEndpointAuthMethod: "client_secret_post",
      registrationAccessToken: "rat",
      registrationClientUri: "http://localhost:3002/register/dcr-client-1",
    });
    expect(net.callsTo(REGISTER)).toHaveLength(1);
    expect(await net.calls[0]?.json()).toEqual({
      client_name: "MCP web client",
      redirect_uris: ["http://localhost:3000/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
      application_type: "web",
      scope: "mcp-api/read",
    });
  });

  it("registers again once the stored registration is deleted", async () => {
    let n = 0;
    const net = createFakeFetch({
      [REGISTER]: () => json({ client_id: `c${++n}` }, { status: 201 }),
    });
    const store = createMemoryRegistrationStore();
    await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    await store.delete(as.issuer);
    const again = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    expect(again.registration.clientId).toBe("c2");
  });

  it("reads a missing client_secret_expires_at as 0 rather than failing", async () => {
    const net = createFakeFetch({
      [REGISTER]: () => json({ client_id: "c", client_secret: "s" }, { status: 201 }),
    });
    const { registration } = await getOrRegisterClient(as, createMemoryRegistrationStore(), {
      ...options,
      fetch: net.fetch,
    });
    expect(registration).toMatchObject({ clientId: "c", clientSecret: "s" });
  });

  it("surfaces the server's RFC 7591 §3.2.2 error", async () => {
    const net = createFakeFetch({
      [REGISTER]: () =>
        json(
          { error: "invalid_redirect_uri", error_description: '"redirect_uris" bad' },
          { status: 400 },
        ),
    });
    await expect(
      getOrRegisterClient(as, createMemoryRegistrationStore(), { ...options, fetch: net.fetch }),
    ).rejects.toMatchObject({ cause: { error: "invalid_redirect_uri" } });
  });

  it("refuses when the server offers no registration endpoint", async () => {
    await expect(
      getOrRegisterClient(
        { ...as, registration_endpoint: undefined },
        createMemoryRegistrationStore(),
        options,
      ),
    ).rejects.toMatchObject({ code: "registration_unsupported" });
  });
});
