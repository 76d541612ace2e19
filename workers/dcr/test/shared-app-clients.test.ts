// Registrations and CIMD clients served by shared Cognito app clients: how they are made, how
// each registration stays itself (its code, its refresh tokens, its secret), what deletion does,
// and how a registration made before app clients were shared keeps working.
import { env } from "cloudflare:test";
import { type GrantRecord, grantKey, revokedClientKey } from "@mcp-cognito-workers/registrations";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REFRESH_TOKEN_SECONDS } from "../src/front-door/grants";
import { clientKey } from "../src/storage/keys";
import type { RegistrationRecord } from "../src/storage/records";
import {
  browserOn,
  CALLBACK,
  COGNITO_AUTHORIZE,
  expectOAuthError,
  NOW,
  POOL_ID,
  readClaims,
  readTransaction,
  registerClient,
  seedLegacyRegistration,
  setup,
  signInThroughFrontDoor,
  VERIFIER,
} from "./support";

afterEach(() => vi.restoreAllMocks());

const REDIRECT = "https://app.example.com/cb";
const PUBLIC_CLIENT = {
  redirect_uris: [REDIRECT],
  client_name: "Public app",
  token_endpoint_auth_method: "none",
};
const CONFIDENTIAL_CLIENT = { ...PUBLIC_CLIENT, token_endpoint_auth_method: "client_secret_post" };
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

type Facade = ReturnType<typeof setup>;

function postForm(facade: Facade, path: string, form: Record<string, string>) {
  return facade.call(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** The relayed code of one sign-in of `clientId` through the front door. */
async function codeOf(facade: Facade, clientId: string) {
  const back = await signInThroughFrontDoor(facade, browserOn(facade), {
    client_id: clientId,
    redirect_uri: REDIRECT,
  });
  return back.searchParams.get("code") ?? "";
}

/** Signs in and redeems the code: the tokens as the client gets them. */
async function signIn(facade: Facade, client: { client_id: string; client_secret?: string }) {
  const code = await codeOf(facade, client.client_id);
  const response = await postForm(facade, "/token", {
    grant_type: "authorization_code",
    code,
    code_verifier: VERIFIER,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    ...(client.client_secret ? { client_secret: client.client_secret } : {}),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

function refresh(
  facade: Facade,
  client: { client_id: string; client_secret?: string },
  refreshToken: string,
) {
  return postForm(facade, "/token", {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: client.client_id,
    ...(client.client_secret ? { client_secret: client.client_secret } : {}),
  });
}

/** The app clients the fake Cognito holds that the facade shares. */
function sharedAppClients(facade: Facade) {
  return [...facade.cognito.clients.values()].filter((c) => c.ClientName.startsWith("dcr-shared "));
}

/** The limits object of this facade (it records the shared app clients). */
function limitsOf(facade: Facade) {
  return env.REGISTRATION_LIMITS.getByName(facade.limitsObjectName);
}

describe("a group's app client is made on the first sign-in that needs it", () => {
  it("public: the configuration an app client of its own would hold, named for its group and slot", async () => {
    const facade = setup({ vars: { ACCESS_TOKEN_MINUTES: "20" } });
    const client = await registerClient(facade, PUBLIC_CLIENT);
    expect(facade.cognito.calls).toEqual([]);
    await codeOf(facade, client.client_id);
    const [create, ...more] = facade.cognito.callsOf("CreateUserPoolClient");
    expect(more).toEqual([]);
    expect(create?.input).toEqual({
      UserPoolId: POOL_ID,
      GenerateSecret: false,
      ClientName: expect.stringMatching(/^dcr-shared public [0-9a-f]{12} [01]$/),
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["mcp-api/read", "mcp-api/write", "openid"],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ["COGNITO"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
      AccessTokenValidity: 20,
      TokenValidityUnits: { AccessToken: "minutes" },
    });
    // The client's own redirect URI never reaches Cognito.
    expect(JSON.stringify(facade.cognito.calls)).not.toContain(REDIRECT);
  });

  it("confidential: a secret the facade keeps sealed in the limits object, nowhere in KV", async () => {
    const facade = setup({ vars: { APP_CLIENTS_PER_GROUP: "1" } });
    const client = await registerClient(facade, CONFIDENTIAL_CLIENT);
    await signIn(facade, client);
    const [app] = sharedAppClients(facade);
    expect(facade.cognito.callsOf("CreateUserPoolClient")[0]?.input).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ["code"],
    });
    expect(facade.cognito.callsOf("CreateUserPoolClient")[0]?.input).not.toHaveProperty(
      "RefreshTokenRotation",
    );
    const [row] = await limitsOf(facade).listAppClients();
    const stored = await limitsOf(facade).getAppClient(row?.group ?? "", 0);
    expect(stored?.clientId).toBe(app?.ClientId);
    expect(stored?.sealedSecret).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(stored?.sealedSecret).not.toContain(app?.ClientSecret);
    for (const key of (await env.REGISTRATIONS.list()).keys) {
      const value = await env.REGISTRATIONS.get(key.name);
      expect(value ?? "").not.toContain(app?.ClientSecret);
    }
  });

  it("client_credentials: its own group; the token request names the registration's scopes", async () => {
    const facade = setup({ vars: { ALLOW_CLIENT_CREDENTIALS: "true" } });
    const machine = await registerClient(facade, {
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "mcp-api/read",
    });
    const basic = `Basic ${btoa(`${machine.client_id}:${machine.client_secret}`)}`;
    const ask = (scope?: string) =>
      facade.call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          ...(scope ? { scope } : {}),
        }).toString(),
      });
    await expectOAuthError(
      await ask("mcp-api/write"),
      400,
      "invalid_scope",
      'the scope "mcp-api/write" is not allowed for this client',
    );
    expect(facade.cognito.calls).toEqual([]);
    const response = await ask();
    // The fake's token endpoint knows the code and refresh grants only: what matters is the call.
    expect(response.status).toBe(400);
    const [create] = facade.cognito.callsOf("CreateUserPoolClient");
    expect(create?.input).toMatchObject({
      ClientName: expect.stringMatching(/^dcr-shared machine /),
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["mcp-api/read"],
      CallbackURLs: [],
    });
    const [app] = sharedAppClients(facade);
    const [relayed] = facade.cognito.oauthCallsOf("token");
    expect(relayed?.form).toEqual({ grant_type: "client_credentials", scope: "mcp-api/read" });
    expect(relayed?.authorization).toBe(`Basic ${btoa(`${app?.ClientId}:${app?.ClientSecret}`)}`);
  });

  it("60 registrations of two kinds, two slots per group: four app clients, each registration always in its slot", async () => {
    const facade = setup({
      vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "0", REGISTER_RATE_LIMITER: allowAll },
    });
    const clients = [];
    for (let i = 0; i < 60; i++)
      clients.push(await registerClient(facade, i % 2 === 0 ? PUBLIC_CLIENT : CONFIDENTIAL_CLIENT));
    const appOf = new Map<string, string>();
    for (const client of clients.concat(clients)) {
      const back = await signInThroughFrontDoor(facade, browserOn(facade), {
        client_id: client.client_id,
        redirect_uri: REDIRECT,
      });
      expect(back.searchParams.get("code")).toBeTruthy();
      const authorize = facade.cognito.lastAuthorize;
      const app = new URL(authorize ?? "").searchParams.get("client_id") ?? "";
      // A registration signs in through the same app client every time.
      expect(appOf.get(client.client_id) ?? app).toBe(app);
      appOf.set(client.client_id, app);
    }
    expect(sharedAppClients(facade)).toHaveLength(4);
    expect(facade.cognito.callsOf("CreateUserPoolClient")).toHaveLength(4);
    expect(new Set(appOf.values()).size).toBe(4);
  });

  it("concurrent first sign-ins make the slot's app client once (a lock in the limits object)", async () => {
    const facade = setup({
      vars: {
        APP_CLIENTS_PER_GROUP: "1",
        REGISTRATIONS_PER_SOURCE_PER_DAY: "0",
        REGISTER_RATE_LIMITER: allowAll,
      },
    });
    facade.cognito.delayCalls(() => 20);
    const clients = await Promise.all(
      Array.from({ length: 12 }, () => registerClient(facade, PUBLIC_CLIENT)),
    );
    const codes = await Promise.all(clients.map((client) => codeOf(facade, client.client_id)));
    expect(codes.every((code) => code !== "")).toBe(true);
    expect(facade.cognito.callsOf("CreateUserPoolClient")).toHaveLength(1);
  });

  it("Cognito refusing to make one (its quota) sends the person back with temporarily_unavailable; registration is unaffected", async () => {
    const facade = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const client = await registerClient(facade, PUBLIC_CLIENT);
    facade.cognito.fail("CreateUserPoolClient", "LimitExceededException");
    const browser = browserOn(facade);
    const page = await browser.get(
      `/authorize?${new URLSearchParams({
        response_type: "code",
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        state: "s",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
      })}`,
    );
    const refused = await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision: "approve",
    });
    const location = new URL(refused.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("temporarily_unavailable");
    expect((await facade.register(PUBLIC_CLIENT)).status).toBe(201);
    // Once Cognito makes it, the sign-in goes through.
    expect(await codeOf(facade, client.client_id)).not.toBe("");
  });

  it("a new FRONT_DOOR_KEY: the secret is read back from Cognito once and sealed again", async () => {
    const facade = setup({ vars: { APP_CLIENTS_PER_GROUP: "1" } });
    const client = await registerClient(facade, CONFIDENTIAL_CLIENT);
    await signIn(facade, client);
    const [row] = await limitsOf(facade).listAppClients();
    const before = (await limitsOf(facade).getAppClient(row?.group ?? "", 0))?.sealedSecret;
    // A new isolate of the deployment after the key's rotation: the same limits object and pool.
    const rotated = setup({
      vars: {
        APP_CLIENTS_PER_GROUP: "1",
        FRONT_DOOR_KEY: "a-rotated-front-door-key-of-32-characters-or-more",
      },
      limitsObjectName: facade.limitsObjectName,
      cognito: facade.cognito,
    });
    await signIn(rotated, client);
    expect(facade.cognito.callsOf("DescribeUserPoolClient")).toHaveLength(1);
    const after = (await limitsOf(facade).getAppClient(row?.group ?? "", 0))?.sealedSecret;
    expect(after).not.toBe(before);
    await signIn(rotated, client);
    expect(facade.cognito.callsOf("DescribeUserPoolClient")).toHaveLength(1);
  });
});

describe("each registration stays itself on a shared app client", () => {
  /** Two registrations of one group and slot: the same app client serves both. */
  async function twoOfOneAppClient(kind = PUBLIC_CLIENT) {
    const facade = setup({ vars: { APP_CLIENTS_PER_GROUP: "1" } });
    const alice = await registerClient(facade, kind);
    const mallory = await registerClient(facade, kind);
    return { facade, alice, mallory };
  }

  it("a registration cannot redeem another's code, though Cognito would take it from the app client", async () => {
    const { facade, alice, mallory } = await twoOfOneAppClient();
    const code = await codeOf(facade, alice.client_id);
    await expectOAuthError(
      await postForm(facade, "/token", {
        grant_type: "authorization_code",
        code,
        code_verifier: VERIFIER,
        redirect_uri: REDIRECT,
        client_id: mallory.client_id,
      }),
      400,
      "invalid_grant",
      "the code was issued to another client",
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("a registration cannot use another's refresh token: it does not open for it", async () => {
    const { facade, alice, mallory } = await twoOfOneAppClient();
    const tokens = await signIn(facade, alice);
    await expectOAuthError(
      await refresh(facade, mallory, tokens.refresh_token),
      400,
      "invalid_grant",
    );
    // Nor revoke it.
    const revoked = await postForm(facade, "/revoke", {
      token: tokens.refresh_token,
      client_id: mallory.client_id,
    });
    expect(revoked.status).toBe(200);
    expect(facade.cognito.oauthCallsOf("token")).toHaveLength(1);
    expect(facade.cognito.oauthCallsOf("revoke")).toEqual([]);
    expect((await refresh(facade, alice, tokens.refresh_token)).status).toBe(200);
  });

  it("a confidential registration's secret is its own: another's secret is refused", async () => {
    const { facade, alice, mallory } = await twoOfOneAppClient(CONFIDENTIAL_CLIENT);
    const tokens = await signIn(facade, alice);
    await expectOAuthError(
      await refresh(
        facade,
        { client_id: alice.client_id, client_secret: mallory.client_secret ?? "" },
        tokens.refresh_token,
      ),
      401,
      "invalid_client",
    );
    expect((await refresh(facade, alice, tokens.refresh_token)).status).toBe(200);
  });

  it("a tampered or expired refresh token is invalid_grant", async () => {
    const clock = { now: NOW };
    const facade = setup({ now: () => clock.now });
    const alice = await registerClient(facade, PUBLIC_CLIENT);
    const tokens = await signIn(facade, alice);
    const tampered = `${tokens.refresh_token.slice(0, -3)}AAA`;
    await expectOAuthError(await refresh(facade, alice, tampered), 400, "invalid_grant");
    clock.now += REFRESH_TOKEN_SECONDS * 1000;
    await expectOAuthError(
      await refresh(facade, alice, tokens.refresh_token),
      400,
      "invalid_grant",
    );
    expect(facade.cognito.oauthCallsOf("token")).toHaveLength(1);
  });

  it("consent is per registration: approving one does not approve another of the same app client", async () => {
    const { facade, alice, mallory } = await twoOfOneAppClient();
    const browser = browserOn(facade);
    const authorize = (clientId: string) =>
      browser.get(
        `/authorize?${new URLSearchParams({
          response_type: "code",
          client_id: clientId,
          redirect_uri: REDIRECT,
          scope: "openid",
          code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
          code_challenge_method: "S256",
        })}`,
      );
    const first = await authorize(alice.client_id);
    await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await first.text()),
      decision: "approve",
    });
    const remembered = await authorize(alice.client_id);
    expect(remembered.status).toBe(302);
    expect(remembered.headers.get("location")).toContain(COGNITO_AUTHORIZE);
    const other = await authorize(mallory.client_id);
    expect(other.status).toBe(200);
    expect(await other.text()).toContain(mallory.client_id);
  });
});

describe("the grant record: which registration a sign-in was made for (read by mcp-rs)", () => {
  it("is written at the code's redemption, and again only when a rotated refresh outlives it by a day", async () => {
    const clock = { now: NOW };
    const facade = setup({ now: () => clock.now });
    const alice = await registerClient(facade, PUBLIC_CLIENT);
    const tokens = await signIn(facade, alice);
    const originJti = readClaims(tokens.access_token).origin_jti as string;
    const grant = () => env.REGISTRATIONS.get<GrantRecord>(grantKey(originJti), "json");
    expect(await grant()).toEqual({ clientId: alice.client_id, issuedAt: NOW / 1000 });
    let current = tokens.refresh_token;
    const written: number[] = [];
    for (const step of [MINUTE_MS, 15 * MINUTE_MS, DAY_MS]) {
      clock.now += step;
      const response = await refresh(facade, alice, current);
      expect(response.status).toBe(200);
      const refreshed = (await response.json()) as { access_token: string; refresh_token: string };
      expect(readClaims(refreshed.access_token).origin_jti).toBe(originJti);
      current = refreshed.refresh_token;
      written.push((await grant())?.issuedAt ?? 0);
    }
    // Not on each refresh: once a day passed since the last write.
    expect(written).toEqual([NOW / 1000, NOW / 1000, clock.now / 1000]);
    const listed = await env.REGISTRATIONS.list({ prefix: grantKey(originJti) });
    expect(listed.keys[0]?.expiration).toBeGreaterThan(Date.now() / 1000 + 30 * 24 * 3600);
  });

  it("a confidential client's refresh token is not rotated: reused as it is, the record not written again", async () => {
    const clock = { now: NOW };
    const facade = setup({ now: () => clock.now });
    const client = await registerClient(facade, CONFIDENTIAL_CLIENT);
    const tokens = await signIn(facade, client);
    const originJti = readClaims(tokens.access_token).origin_jti as string;
    for (const step of [DAY_MS, 2 * DAY_MS]) {
      clock.now += step;
      const response = await refresh(facade, client, tokens.refresh_token);
      expect(response.status).toBe(200);
      expect(await response.json()).not.toHaveProperty("refresh_token");
    }
    // Written at the sign-in only: the refresh token dies (30 days) before the record (31).
    expect(await env.REGISTRATIONS.get<GrantRecord>(grantKey(originJti), "json")).toEqual({
      clientId: client.client_id,
      issuedAt: NOW / 1000,
    });
  });

  it("is not written for a registration with its own app client (its tokens name it)", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: [REDIRECT] },
      relayCallbackUrl: CALLBACK,
    });
    const tokens = await signIn(facade, { client_id: legacy.clientId });
    const originJti = readClaims(tokens.access_token).origin_jti as string;
    expect(readClaims(tokens.access_token).client_id).toBe(legacy.clientId);
    expect(await env.REGISTRATIONS.get(grantKey(originJti))).toBeNull();
  });
});

describe("deletion of a registration served by a shared app client", () => {
  it("its refresh tokens are refused at once, nothing relayed; the tombstone refuses its access tokens at mcp-rs; others carry on", async () => {
    const facade = setup({ vars: { APP_CLIENTS_PER_GROUP: "1" } });
    const alice = await registerClient(facade, PUBLIC_CLIENT);
    const bob = await registerClient(facade, PUBLIC_CLIENT);
    const aliceTokens = await signIn(facade, alice);
    const bobTokens = await signIn(facade, bob);
    const deleted = await facade.call(`/register/${alice.client_id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${alice.registration_access_token}` },
    });
    expect(deleted.status).toBe(204);
    const relayedBefore = facade.cognito.oauthCalls.length;
    await expectOAuthError(
      await refresh(facade, alice, aliceTokens.refresh_token),
      401,
      "invalid_client",
      "the client is not known to this server",
    );
    expect(facade.cognito.oauthCalls.length).toBe(relayedBefore);
    // mcp-rs reads the grant and then the tombstone (workers/mcp-rs/test/token-validation.test.ts).
    const originJti = readClaims(aliceTokens.access_token).origin_jti as string;
    expect(await env.REGISTRATIONS.get<GrantRecord>(grantKey(originJti), "json")).toMatchObject({
      clientId: alice.client_id,
    });
    expect(await env.REGISTRATIONS.get(revokedClientKey(alice.client_id))).not.toBeNull();
    // The shared app client has no tombstone: every other registration of it keeps working.
    const [app] = sharedAppClients(facade);
    expect(await env.REGISTRATIONS.get(revokedClientKey(app?.ClientId ?? ""))).toBeNull();
    expect(facade.cognito.clients.has(app?.ClientId ?? "")).toBe(true);
    expect((await refresh(facade, bob, bobTokens.refresh_token)).status).toBe(200);
  });
});

describe("migration: a registration written before app clients were shared", () => {
  it("signs in, redeems, refreshes (old and new refresh tokens), and is read, updated and deleted (RFC 7592)", async () => {
    const facade = setup();
    // As the code before wrote it: its own app client, no sharedAppClient, made before the front
    // door too (no relayCallbackUrl; Cognito holds its own redirect URI).
    const legacy = await seedLegacyRegistration(facade, {
      metadata: {
        redirectUris: [REDIRECT],
        tokenEndpointAuthMethod: "client_secret_basic",
        clientName: "Old app",
      },
    });
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(
      clientKey(legacy.clientId),
      "json",
    );
    expect(stored).not.toHaveProperty("sharedAppClient");
    const basic = `Basic ${btoa(`${legacy.clientId}:${legacy.clientSecret}`)}`;

    // A refresh token it got before the change (unsealed) still works.
    const old = facade.cognito.issueRefreshToken(legacy.clientId);
    const token = (form: Record<string, string>) =>
      facade.call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
        body: new URLSearchParams(form).toString(),
      });
    expect((await token({ grant_type: "refresh_token", refresh_token: old })).status).toBe(200);

    // A sign-in moves it onto the relay and goes through its own app client.
    const code = await codeOf(facade, legacy.clientId);
    expect(new URL(facade.cognito.lastAuthorize ?? "").searchParams.get("client_id")).toBe(
      legacy.clientId,
    );
    const redeemed = await token({
      grant_type: "authorization_code",
      code,
      code_verifier: VERIFIER,
      redirect_uri: REDIRECT,
    });
    expect(redeemed.status).toBe(200);
    const tokens = (await redeemed.json()) as { access_token: string; refresh_token: string };
    expect(readClaims(tokens.access_token).client_id).toBe(legacy.clientId);
    expect(
      (await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status,
    ).toBe(200);
    expect(sharedAppClients(facade)).toEqual([]);

    const manage = { authorization: `Bearer ${legacy.registrationAccessToken}` };
    const read = await facade.call(`/register/${legacy.clientId}`, { headers: manage });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      client_id: legacy.clientId,
      client_secret: legacy.clientSecret,
      redirect_uris: [REDIRECT],
    });
    const updated = await facade.call(`/register/${legacy.clientId}`, {
      method: "PUT",
      headers: { ...manage, "content-type": "application/json" },
      body: JSON.stringify({
        client_id: legacy.clientId,
        redirect_uris: [REDIRECT, "https://app.example.com/other"],
        token_endpoint_auth_method: "client_secret_basic",
        client_name: "Old app, renamed",
      }),
    });
    expect(updated.status).toBe(200);
    expect(facade.cognito.clients.get(legacy.clientId)?.ClientName).toBe("dcr-Old app, renamed");
    const deleted = await facade.call(`/register/${legacy.clientId}`, {
      method: "DELETE",
      headers: manage,
    });
    expect(deleted.status).toBe(204);
    expect(facade.cognito.clients.has(legacy.clientId)).toBe(false);
    expect(await env.REGISTRATIONS.get(revokedClientKey(legacy.clientId))).not.toBeNull();
    await expectOAuthError(
      await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
      401,
      "invalid_client",
    );
  });

  it("a registration made now and one made before never share an app client", async () => {
    const facade = setup({ vars: { APP_CLIENTS_PER_GROUP: "1" } });
    const legacy = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: [REDIRECT] },
      relayCallbackUrl: CALLBACK,
    });
    const fresh = await registerClient(facade, PUBLIC_CLIENT);
    const legacyTokens = await signIn(facade, { client_id: legacy.clientId });
    // The new registration's sealed refresh token names a shared app client: the legacy one's
    // own app client is never used for it, and the reverse.
    const freshTokens = await signIn(facade, fresh);
    await expectOAuthError(
      await refresh(facade, { client_id: legacy.clientId }, freshTokens.refresh_token),
      400,
      "invalid_grant",
    );
    await expectOAuthError(
      await refresh(facade, fresh, legacyTokens.refresh_token),
      400,
      "invalid_grant",
    );
  });
});

/** A rate limiter that lets everything through (for tests that register many clients). */
const allowAll = { limit: async () => ({ success: true }) } as unknown as RateLimit;
