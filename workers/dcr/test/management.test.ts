import { env } from "cloudflare:test";
import type { ClientRevocation } from "@mcp-cognito-workers/registrations";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clientKey, revokedClientKey } from "../src/storage/keys";
import type { RegistrationRecord } from "../src/storage/records";
import { expectOAuthError, INSPECTOR, ISSUER, NOW, setup } from "./support";

type Body = Record<string, unknown>;
afterEach(() => vi.restoreAllMocks());

async function registered(metadata: Body = INSPECTOR, options: Parameters<typeof setup>[0] = {}) {
  const facade = setup(options);
  const response = await facade.register(metadata);
  expect(response.status).toBe(201);
  const body = (await response.json()) as Body;
  const path = new URL(body.registration_client_uri as string).pathname;
  const token = body.registration_access_token as string;
  const auth = { authorization: `Bearer ${token}` };
  const put = (update: Body, headers: Record<string, string> = auth) =>
    facade.call(path, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(update),
    });
  return { ...facade, body, path, token, auth, put, clientId: body.client_id as string };
}

const CHALLENGE = /^Bearer error="invalid_token", error_description="[^"]+"$/;

describe("RFC 7592 §3 authentication by the registration access token", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["Basic instead of Bearer", { authorization: "Basic Zm9vOmJhcg==" }],
  ])("%s → 401 invalid_token with a challenge, for GET, PUT and DELETE", async (_name, headers) => {
    const { call, path, cognito, clientId } = await registered();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await call(path, {
        method,
        headers: { ...headers, "content-type": "application/json" },
        ...(method === "PUT"
          ? { body: JSON.stringify({ ...INSPECTOR, client_id: clientId }) }
          : {}),
      });
      expect(response.headers.get("www-authenticate")).toMatch(CHALLENGE);
      await expectOAuthError(response, 401, "invalid_token");
    }
    expect(cognito.calls.map((c) => c.operation)).toEqual(["CreateUserPoolClient"]);
  });

  it("one client's token does not manage another client", async () => {
    const first = await registered();
    const second = await first.register(INSPECTOR);
    const other = ((await second.json()) as Body).client_id as string;
    await expectOAuthError(
      await first.call(`/register/${other}`, { headers: first.auth }),
      401,
      "invalid_token",
    );
  });

  it("an unknown client answers as a wrong token does (no existence oracle)", async () => {
    const { call, auth } = await registered();
    await expectOAuthError(
      await call("/register/doesnotexist", { headers: auth }),
      401,
      "invalid_token",
      "the registration access token is invalid for this client",
    );
  });

  it("an id too long for a KV key, or not an id at all, answers 401 like an unknown one (never 500)", async () => {
    const { call, auth } = await registered();
    for (const id of ["a".repeat(600), "x".repeat(129), "%00bad", "..%2f..%2fclient"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await call(`/register/${id}`, {
          method,
          headers: { ...auth, "content-type": "application/json" },
          ...(method === "PUT" ? { body: "{}" } : {}),
        });
        await expectOAuthError(response, 401, "invalid_token");
      }
    }
  });
});

describe("RFC 7592 §2.1 read", () => {
  it("returns the registration without the token; a public client has no secret", async () => {
    const { call, path, auth, body, cognito } = await registered();
    const response = await call(path, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { registration_access_token: _, ...expected } = body;
    expect(await response.json()).toEqual(expected);
    expect(cognito.callsOf("DescribeUserPoolClient")).toEqual([]);
  });

  it("reads a confidential client's secret back from Cognito", async () => {
    const { call, path, auth, body } = await registered({
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const read = (await (await call(path, { headers: auth })).json()) as Body;
    expect(read.client_secret).toBe(body.client_secret);
    expect(read.client_secret_expires_at).toBe(0);
  });

  it("records use at most once a day", async () => {
    let now = NOW;
    const { call, path, auth, clientId } = await registered(INSPECTOR, { now: () => now });
    now += 2 * 24 * 3600 * 1000;
    await call(path, { headers: auth });
    const record = await env.REGISTRATIONS.get<RegistrationRecord>(clientKey(clientId), "json");
    expect(record?.lastUsedAt).toBe(now / 1000);
    const listed = await env.REGISTRATIONS.list({ prefix: clientKey(clientId) });
    expect(listed.keys[0]?.metadata).toEqual({
      lastUsedAt: now / 1000,
      clientIdIssuedAt: NOW / 1000,
      relayCallbackUrl: `${ISSUER}/callback`,
    });
  });

  it("forgets a registration whose Cognito client vanished", async () => {
    const { call, path, auth, cognito, clientId } = await registered({
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_post",
    });
    cognito.clients.delete(clientId);
    await expectOAuthError(await call(path, { headers: auth }), 401, "invalid_token");
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBeNull();
    expect(await env.REGISTRATIONS.get(revokedClientKey(clientId))).not.toBeNull();
  });
});

describe("RFC 7592 §2.2 update: full replace", () => {
  it("sends Cognito the whole configuration and stores the new metadata", async () => {
    const { put, cognito, clientId, path } = await registered();
    const response = await put({
      client_id: clientId,
      redirect_uris: ["http://127.0.0.1:9999/cb"],
      token_endpoint_auth_method: "none",
      scope: "openid mcp-api/write",
      client_name: "Renamed",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Body;
    expect(body).toMatchObject({
      client_id: clientId,
      redirect_uris: ["http://127.0.0.1:9999/cb"],
      scope: "openid mcp-api/write mcp-api/read",
      client_name: "Renamed",
      registration_client_uri: expect.stringContaining(path),
    });
    expect(body).not.toHaveProperty("registration_access_token");
    expect(cognito.callsOf("UpdateUserPoolClient")[0]?.input).toEqual({
      UserPoolId: env.COGNITO_USER_POOL_ID,
      ClientId: clientId,
      ClientName: "dcr-Renamed",
      CallbackURLs: [`${ISSUER}/callback`],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "mcp-api/write", "mcp-api/read"],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ["COGNITO"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
      AccessTokenValidity: 15,
      TokenValidityUnits: { AccessToken: "minutes" },
    });
  });

  it("omitted optional fields are removed (replace, not merge)", async () => {
    const { put, clientId, call, path, auth } = await registered({
      ...INSPECTOR,
      client_uri: "https://a.example",
    });
    await put({
      client_id: clientId,
      redirect_uris: INSPECTOR.redirect_uris,
      token_endpoint_auth_method: "none",
    });
    const read = (await (await call(path, { headers: auth })).json()) as Body;
    expect(read).not.toHaveProperty("client_uri");
    expect(read).not.toHaveProperty("client_name");
    expect(read.scope).toBe("openid mcp-api/read mcp-api/write");
  });

  it.each([
    [
      "a different client_id",
      { client_id: "someoneelse" },
      "invalid_request",
      '"client_id" must equal the client being updated',
    ],
    [
      "registration_access_token",
      { registration_access_token: "x" },
      "invalid_request",
      '"registration_access_token" must not be sent',
    ],
    [
      "registration_client_uri",
      { registration_client_uri: "x" },
      "invalid_request",
      '"registration_client_uri" must not be sent',
    ],
    [
      "client_id_issued_at",
      { client_id_issued_at: 1 },
      "invalid_request",
      '"client_id_issued_at" must not be sent',
    ],
    [
      "client_secret_expires_at",
      { client_secret_expires_at: 0 },
      "invalid_request",
      '"client_secret_expires_at" must not be sent',
    ],
    [
      "invalid metadata",
      { redirect_uris: ["http://evil.example/cb"] },
      "invalid_redirect_uri",
      /http is allowed only for localhost/,
    ],
    [
      "a switch to a secret",
      { token_endpoint_auth_method: "client_secret_post" },
      "invalid_client_metadata",
      '"token_endpoint_auth_method" cannot change between "none" and a secret-based method',
    ],
  ] as const)("refuses %s", async (_name, change, code, description) => {
    const { put, clientId, cognito } = await registered();
    await expectOAuthError(
      await put({ ...INSPECTOR, client_id: clientId, ...change }),
      400,
      code,
      description,
    );
    expect(cognito.callsOf("UpdateUserPoolClient")).toEqual([]);
  });

  it("a client_secret sent along must be the current one", async () => {
    const { put, clientId, body } = await registered({
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const update = {
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
      client_id: clientId,
    };
    await expectOAuthError(
      await put({ ...update, client_secret: "chosen-by-client" }),
      400,
      "invalid_request",
      '"client_secret" is not the current secret',
    );
    const ok = await put({ ...update, client_secret: body.client_secret });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Body).client_secret).toBe(body.client_secret);
  });

  it("maps Cognito's refusal like registration does", async () => {
    const { put, clientId, cognito } = await registered();
    cognito.fail("UpdateUserPoolClient", "ScopeDoesNotExistException");
    await expectOAuthError(
      await put({ ...INSPECTOR, client_id: clientId }),
      400,
      "invalid_client_metadata",
      '"scope" names a scope that does not exist',
    );
  });
});

describe("RFC 7592 §2.3 delete", () => {
  it("deletes the Cognito client, then the record, and leaves the tombstone mcp-rs reads", async () => {
    const { call, path, auth, cognito, clientId } = await registered();
    const response = await call(path, { method: "DELETE", headers: auth });
    expect(response.status).toBe(204);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(cognito.callsOf("DeleteUserPoolClient").map((c) => c.input.ClientId)).toEqual([
      clientId,
    ]);
    expect(cognito.clients.has(clientId)).toBe(false);
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBeNull();
    const tombstone = await env.REGISTRATIONS.get<ClientRevocation>(
      revokedClientKey(clientId),
      "json",
    );
    expect(tombstone).toEqual({ clientId, revokedAt: NOW / 1000 });
    const listed = await env.REGISTRATIONS.list({ prefix: revokedClientKey(clientId) });
    expect(listed.keys[0]?.expiration).toBeGreaterThan(Date.now() / 1000 + 24 * 3600 - 120);
    await expectOAuthError(await call(path, { headers: auth }), 401, "invalid_token");
  });

  it("keeps the record when Cognito fails, so the client can retry", async () => {
    const { call, path, auth, cognito, clientId } = await registered();
    vi.spyOn(console, "error").mockImplementation(() => {});
    cognito.fail("DeleteUserPoolClient", "AccessDeniedException");
    await expectOAuthError(
      await call(path, { method: "DELETE", headers: auth }),
      502,
      "server_error",
    );
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).not.toBeNull();
    expect((await call(path, { method: "DELETE", headers: auth })).status).toBe(204);
  });
});
