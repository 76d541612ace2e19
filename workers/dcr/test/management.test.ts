import { env } from "cloudflare:test";
import type { ClientRevocation } from "@mcp-cognito-workers/registrations";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../src/registration/secrets";
import { clientKey, revokedClientKey } from "../src/storage/keys";
import type { RegistrationRecord } from "../src/storage/records";
import { expectOAuthError, INSPECTOR, ISSUER, NOW, seedLegacyRegistration, setup } from "./support";

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

/**
 * A registration in the shape made before app clients were shared (its own app client, its id
 * the client id), with the same helpers as {@link registered}.
 */
async function registeredLegacy(
  metadata: Body = INSPECTOR,
  options: Parameters<typeof setup>[0] = {},
) {
  const facade = setup(options);
  const seeded = await seedLegacyRegistration(facade, {
    metadata: {
      redirectUris: metadata.redirect_uris as string[],
      tokenEndpointAuthMethod: metadata.token_endpoint_auth_method as "none",
      ...(metadata.client_name !== undefined ? { clientName: metadata.client_name as string } : {}),
    },
    relayCallbackUrl: `${ISSUER}/callback`,
  });
  const path = `/register/${seeded.clientId}`;
  const auth = { authorization: `Bearer ${seeded.registrationAccessToken}` };
  const put = (update: Body, headers: Record<string, string> = auth) =>
    facade.call(path, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(update),
    });
  const body: Body = {
    client_id: seeded.clientId,
    ...(seeded.clientSecret !== undefined ? { client_secret: seeded.clientSecret } : {}),
  };
  return { ...facade, body, path, auth, put, clientId: seeded.clientId };
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
    expect(cognito.calls).toEqual([]);
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
    expect(cognito.calls).toEqual([]);
  });

  it("leaves a confidential client's secret out: only its hash is kept (RFC 7592 §3 allows it)", async () => {
    const { call, path, auth, body } = await registered({
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const read = (await (await call(path, { headers: auth })).json()) as Body;
    const {
      registration_access_token: _,
      client_secret: __,
      client_secret_expires_at: ___,
      ...rest
    } = body;
    expect(read).toEqual(rest);
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
      tokenIssuedAt: 0,
      sharedAppClient: true,
    });
  });

  it("a registration with its own app client: the secret is read back from Cognito", async () => {
    const { call, path, auth, body, cognito } = await registeredLegacy({
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const read = (await (await call(path, { headers: auth })).json()) as Body;
    expect(read.client_secret).toBe(body.client_secret);
    expect(read.client_secret_expires_at).toBe(0);
    expect(read.client_id).toBe(body.client_id);
    expect(read.redirect_uris).toEqual(INSPECTOR.redirect_uris);
    expect(cognito.callsOf("DescribeUserPoolClient")).toHaveLength(1);
  });

  it.each([["client_secret_post"], ["none"]])(
    "forgets a registration whose own Cognito client vanished (%s client), answering 401",
    async (method) => {
      const { call, path, auth, cognito, clientId } = await registeredLegacy({
        ...INSPECTOR,
        token_endpoint_auth_method: method,
      });
      cognito.clients.delete(clientId);
      await expectOAuthError(await call(path, { headers: auth }), 401, "invalid_token");
      expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBeNull();
      expect(await env.REGISTRATIONS.get(revokedClientKey(clientId))).not.toBeNull();
    },
  );
});

describe("RFC 7592 §2.2 update: full replace", () => {
  it("stores the new metadata; Cognito is not called (the next sign-in uses its group)", async () => {
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
    expect(cognito.calls).toEqual([]);
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(clientKey(clientId), "json");
    expect(stored?.metadata).toMatchObject({
      redirectUris: ["http://127.0.0.1:9999/cb"],
      clientName: "Renamed",
    });
  });

  it("a registration with its own app client: Cognito gets the whole configuration", async () => {
    const { put, cognito, clientId } = await registeredLegacy();
    const response = await put({
      client_id: clientId,
      redirect_uris: ["http://127.0.0.1:9999/cb"],
      token_endpoint_auth_method: "none",
      scope: "openid mcp-api/write",
      client_name: "Renamed",
    });
    expect(response.status).toBe(200);
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
    const before = await env.REGISTRATIONS.get(clientKey(clientId));
    await expectOAuthError(
      await put({ ...INSPECTOR, client_id: clientId, ...change }),
      400,
      code,
      description,
    );
    expect(cognito.calls).toEqual([]);
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBe(before);
  });

  it("a client_secret sent along must be the current one (its hash matches)", async () => {
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
    // The secret stays as it was, and is not sent again.
    expect(await ok.json()).not.toHaveProperty("client_secret");
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(clientKey(clientId), "json");
    expect(stored?.clientSecretHash).toBe(await sha256Hex(body.client_secret as string));
  });

  it("a registration with its own app client: the secret is compared with Cognito's", async () => {
    const { put, clientId, body } = await registeredLegacy({
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

  it("a registration with its own app client: Cognito's refusal is mapped like registration's", async () => {
    const { put, clientId, cognito } = await registeredLegacy();
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
  it("deletes the record and leaves the tombstone mcp-rs reads; Cognito is not called", async () => {
    const { call, path, auth, cognito, clientId } = await registered();
    const response = await call(path, { method: "DELETE", headers: auth });
    expect(response.status).toBe(204);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(cognito.calls).toEqual([]);
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

  it("a registration with its own app client: the Cognito client goes first", async () => {
    const { call, path, auth, cognito, clientId } = await registeredLegacy();
    expect((await call(path, { method: "DELETE", headers: auth })).status).toBe(204);
    expect(cognito.callsOf("DeleteUserPoolClient").map((c) => c.input.ClientId)).toEqual([
      clientId,
    ]);
    expect(cognito.clients.has(clientId)).toBe(false);
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBeNull();
    expect(await env.REGISTRATIONS.get(revokedClientKey(clientId))).not.toBeNull();
  });

  it("a registration with its own app client: the record stays when Cognito fails", async () => {
    const { call, path, auth, cognito, clientId } = await registeredLegacy();
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

describe("RFC 7592 changes to one client are serialized (one lock per client id)", () => {
  /** Whether KV and Cognito agree: a record exactly when there is its own Cognito client. */
  async function expectInStep(facade: Awaited<ReturnType<typeof registeredLegacy>>) {
    const record = await env.REGISTRATIONS.get(clientKey(facade.clientId));
    expect({
      record: record !== null,
      cognito: facade.cognito.clients.has(facade.clientId),
    }).toEqual(
      record === null ? { record: false, cognito: false } : { record: true, cognito: true },
    );
    return record !== null;
  }
  const update = (clientId: string) => ({
    ...INSPECTOR,
    client_id: clientId,
    redirect_uris: ["http://127.0.0.1:7000/cb"],
  });

  it("a DELETE while a PUT is under way is refused (409), and KV and Cognito stay in step", async () => {
    const facade = await registeredLegacy();
    // Cognito applies the update; its answer is slow to come back.
    const held = facade.cognito.holdAnswer("UpdateUserPoolClient");
    const putting = facade.put(update(facade.clientId));
    await held.reached;
    const deleted = await facade.call(facade.path, { method: "DELETE", headers: facade.auth });
    held.release();
    const put = await putting;
    expect(put.status).toBe(200);
    expect(deleted.headers.get("retry-after")).toBe("1");
    await expectOAuthError(
      deleted,
      409,
      "temporarily_unavailable",
      "another change to this client is in progress; retry",
    );
    expect(await expectInStep(facade)).toBe(true);
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(
      clientKey(facade.clientId),
      "json",
    );
    expect(stored?.metadata.redirectUris).toEqual(["http://127.0.0.1:7000/cb"]);
    // Once the update is done, the delete goes through.
    expect(
      (await facade.call(facade.path, { method: "DELETE", headers: facade.auth })).status,
    ).toBe(204);
    expect(await expectInStep(facade)).toBe(false);
  });

  it("a PUT while a DELETE is under way is refused (409); after it, the token is no longer valid", async () => {
    const facade = await registeredLegacy();
    const held = facade.cognito.holdAnswer("DeleteUserPoolClient");
    const deleting = facade.call(facade.path, { method: "DELETE", headers: facade.auth });
    await held.reached;
    const put = await facade.put(update(facade.clientId));
    held.release();
    expect((await deleting).status).toBe(204);
    await expectOAuthError(put, 409, "temporarily_unavailable");
    expect(await expectInStep(facade)).toBe(false);
    await expectOAuthError(await facade.put(update(facade.clientId)), 401, "invalid_token");
  });

  it("racing PUTs and DELETEs in any number never leave a record without its Cognito client, or the reverse", async () => {
    for (let round = 0; round < 5; round++) {
      const facade = await registeredLegacy(INSPECTOR, { vars: { MANAGE_RATE_LIMITER: allowAll } });
      // Answers arrive in any order, as they would over a network.
      facade.cognito.delayCalls(() => (Math.random() < 0.5 ? 0 : 25));
      const requests = Array.from({ length: 6 }, (_, i) =>
        i % 2 === round % 2
          ? facade.call(facade.path, { method: "DELETE", headers: facade.auth })
          : facade.put(update(facade.clientId)),
      );
      const statuses = (await Promise.all(requests)).map((r) => r.status);
      for (const status of statuses) expect([200, 204, 401, 409]).toContain(status);
      const kept = await expectInStep(facade);
      expect(kept).toBe(!statuses.includes(204));
    }
  }, 30_000);

  it("a read racing a delete does not write the record back", async () => {
    let now = NOW;
    const facade = await registeredLegacy(
      { ...INSPECTOR, token_endpoint_auth_method: "client_secret_basic" },
      { now: () => now },
    );
    // A day later, the read records use; it reads the secret from Cognito first, slowly.
    now += 2 * 24 * 3600 * 1000;
    const held = facade.cognito.holdAnswer("DescribeUserPoolClient");
    const reading = facade.call(facade.path, { headers: facade.auth });
    await held.reached;
    expect(
      (await facade.call(facade.path, { method: "DELETE", headers: facade.auth })).status,
    ).toBe(204);
    held.release();
    expect((await reading).status).toBe(200);
    expect(await expectInStep(facade)).toBe(false);
  });
});

/** A rate limiter that lets everything through (for tests that make many calls). */
const allowAll = { limit: async () => ({ success: true }) } as RateLimit;
