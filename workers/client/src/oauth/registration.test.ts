import type * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { createFakeFetch, json } from "../../test/fake-fetch";
import { clientSecretBasic } from "./client-auth";
import { buildClientMetadataDocument } from "./client-metadata";
import { createMemoryRegistrationStore, getOrRegisterClient } from "./registration";

const as: oauth.AuthorizationServer = {
  issuer: "http://localhost:3002",
  authorization_endpoint: "http://localhost:9229/oauth2/authorize",
  token_endpoint: "http://localhost:9229/oauth2/token",
  registration_endpoint: "http://localhost:3002/register",
  code_challenge_methods_supported: ["S256"],
};
const REGISTER = "http://localhost:3002/register";
const CLIENT_URI = `${REGISTER}/dcr-client-1`;

/** A registration endpoint that answers with a registration access token and client URI. */
const registerWithManagement = async (request: Request) => {
  const body = (await request.json()) as Record<string, unknown>;
  return json(
    {
      ...body,
      client_id: "dcr-client-1",
      client_secret: "s3cret",
      client_secret_expires_at: 0,
      registration_access_token: "rat",
      registration_client_uri: CLIENT_URI,
    },
    { status: 201 },
  );
};
const options = {
  clientName: "MCP web client",
  redirectUris: ["http://localhost:3000/callback"],
  scope: "mcp-api/read",
};

describe("RFC 7591 registration, once per authorization server", () => {
  it("registers once, stores the result, and reuses it once RFC 7592 says the server knows it", async () => {
    const net = createFakeFetch({
      [REGISTER]: registerWithManagement,
      [CLIENT_URI]: () => json({ client_id: "dcr-client-1" }),
    });
    const store = createMemoryRegistrationStore();
    const first = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    const second = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    expect(first.source).toBe("registered");
    expect(second.source).toBe("stored");
    expect(net.callsTo(CLIENT_URI)[0]?.headers.get("authorization")).toBe("Bearer rat");
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
    expect(await net.callsTo(REGISTER)[0]?.json()).toEqual({
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

  it("registers again when the server no longer knows the stored client (RFC 7592 §2.1: 401)", async () => {
    let known = true;
    let n = 0;
    const net = createFakeFetch({
      [REGISTER]: async (request) => {
        n++;
        return registerWithManagement(request);
      },
      [CLIENT_URI]: () =>
        known
          ? json({ client_id: "dcr-client-1" })
          : json({ error: "invalid_token" }, { status: 401 }),
    });
    const store = createMemoryRegistrationStore();
    const steps: string[] = [];
    await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    known = false;
    const again = await getOrRegisterClient(as, store, {
      ...options,
      fetch: net.fetch,
      trace: (step) => steps.push(`${step.step} ${step.status ?? ""}`.trim()),
    });
    expect(again.source).toBe("registered");
    expect(n).toBe(2);
    expect(steps).toEqual([
      "stored registration checked (RFC 7592) 401",
      "stored registration unknown to the server: registering again",
      "dynamic client registration 201",
    ]);
    expect(await store.get(as.issuer)).toEqual(again.registration);
  });

  it("keeps the stored client when the check fails for another reason (an outage)", async () => {
    let down = false;
    const net = createFakeFetch({
      [REGISTER]: registerWithManagement,
      [CLIENT_URI]: () => (down ? new Response("unavailable", { status: 503 }) : json({})),
    });
    const store = createMemoryRegistrationStore();
    await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    down = true;
    const again = await getOrRegisterClient(as, store, { ...options, fetch: net.fetch });
    expect(again.source).toBe("stored");
    expect(net.callsTo(REGISTER)).toHaveLength(1);
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

describe("Client ID Metadata Documents (MCP 2025-11-25 registration order)", () => {
  const CIMD_URL = "https://client.example.com/oauth/client-metadata.json";

  it("uses the document URL as client_id where the server supports it, and registers nothing", async () => {
    const net = createFakeFetch({});
    const store = createMemoryRegistrationStore();
    const result = await getOrRegisterClient(
      { ...as, client_id_metadata_document_supported: true },
      store,
      { ...options, fetch: net.fetch, clientMetadataUrl: CIMD_URL },
    );
    expect(result).toEqual({
      source: "metadata_document",
      registration: {
        issuer: as.issuer,
        clientId: CIMD_URL,
        tokenEndpointAuthMethod: "none",
      },
    });
    expect(net.calls).toHaveLength(0);
    expect(await store.get(as.issuer)).toBeUndefined();
  });

  it("registers by DCR where the server does not advertise support", async () => {
    const net = createFakeFetch({ [REGISTER]: registerWithManagement });
    const result = await getOrRegisterClient(as, createMemoryRegistrationStore(), {
      ...options,
      fetch: net.fetch,
      clientMetadataUrl: CIMD_URL,
    });
    expect(result.source).toBe("registered");
  });

  it("refuses a document URL that is not https with a path", async () => {
    for (const url of ["http://client.example.com/meta.json", "https://client.example.com/"]) {
      await expect(
        getOrRegisterClient(
          { ...as, client_id_metadata_document_supported: true },
          createMemoryRegistrationStore(),
          { ...options, clientMetadataUrl: url },
        ),
      ).rejects.toThrow(TypeError);
    }
  });

  it("builds the document with client_id equal to its own URL", () => {
    expect(
      buildClientMetadataDocument({
        clientId: CIMD_URL,
        clientName: "MCP web client",
        redirectUris: ["https://client.example.com/callback"],
      }),
    ).toEqual({
      client_id: CIMD_URL,
      client_name: "MCP web client",
      redirect_uris: ["https://client.example.com/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
  });
});

describe("RFC 6749 §2.3.1 HTTP Basic client authentication", () => {
  const basicOf = (clientId: string, secret: string) => {
    const headers = new Headers();
    clientSecretBasic(secret)(as, { client_id: clientId }, new URLSearchParams(), headers);
    return atob((headers.get("authorization") ?? "").replace(/^Basic /, ""));
  };

  it("leaves ordinary ids and secrets as they are (servers that compare raw still match)", () => {
    expect(basicOf("pre-registered-client", "pre_registered.secret*1")).toBe(
      "pre-registered-client:pre_registered.secret*1",
    );
  });

  it("form-encodes the characters that need it, colon included", () => {
    expect(basicOf("id with space", "s:e+c/r%t")).toBe("id+with+space:s%3Ae%2Bc%2Fr%25t");
  });
});
