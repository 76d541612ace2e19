import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/registration/secrets";
import { CIMD_CLIENT_PREFIX, cimdDocumentKey } from "../src/storage/keys";
import { writeCimdClient } from "../src/storage/records";
import {
  authorizePath,
  type Browser,
  browserOn,
  CALLBACK,
  COGNITO_AUTHORIZE,
  expectOAuthError,
  INSPECTOR,
  ISSUER,
  NOW,
  POOL_ID,
  readTransaction,
  setup,
  signInThroughFrontDoor,
  VERIFIER,
} from "./support";

const CLIENT_ID = "https://app.example.com/client.json";
const REDIRECT = "https://app.example.com/callback";
const STATE = "client-state-123";
const DOCUMENT = {
  client_id: CLIENT_ID,
  client_name: "Example App",
  redirect_uris: [REDIRECT],
  scope: "openid mcp-api/read",
};

beforeEach(async () => {
  // Tests in this file share KV: start without cached documents or CIMD app clients.
  for (const prefix of ["cimd-doc:", CIMD_CLIENT_PREFIX])
    for (const key of (await env.REGISTRATIONS.list({ prefix })).keys)
      await env.REGISTRATIONS.delete(key.name);
});

/** A front door whose fetch serves `document` at {@link CLIENT_ID}. */
function withDocument(document: unknown = DOCUMENT, vars: Partial<Env> = {}) {
  const facade = setup({ vars });
  facade.cognito.serveDocument(CLIENT_ID, document);
  return facade;
}

/** Approves a sign-in for the CIMD client and returns Cognito's authorize URL. */
async function approve(
  facade: ReturnType<typeof setup>,
  browser: Browser = browserOn(facade),
  params: Record<string, string | undefined> = {},
): Promise<URL> {
  const page = await browser.get(
    authorizePath({ client_id: CLIENT_ID, redirect_uri: REDIRECT, ...params }),
  );
  expect(page.status).toBe(200);
  const response = await browser.postForm("/authorize/decision", {
    transaction: readTransaction(await page.text()),
    decision: "approve",
  });
  const location = response.headers.get("location") ?? "";
  expect(response.status).toBe(302);
  expect(location.startsWith(`${COGNITO_AUTHORIZE}?`)).toBe(true);
  return new URL(location);
}

async function expectRefusalPage(response: Response, ...messages: string[]) {
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("location")).toBeNull();
  const html = await response.text();
  for (const message of messages)
    expect(html).toContain(message.replace(/'/g, "&#39;").replace(/"/g, "&quot;"));
}

describe("draft-ietf-oauth-client-id-metadata-document: the consent page names the document's URL", () => {
  it("shows the client_id URL and the redirect host, without a warning when they agree", async () => {
    const facade = withDocument();
    const response = await facade.call(
      authorizePath({ client_id: CLIENT_ID, redirect_uri: REDIRECT }),
    );
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Example App wants to use your account");
    expect(html).toContain(`<dt>Identified by</dt><dd><code>${CLIENT_ID}</code></dd>`);
    expect(html).toContain("<code>app.example.com</code>");
    expect(html).not.toContain('class="warn"');
    expect(facade.cognito.documentFetches).toEqual([CLIENT_ID]);
    // Nothing is created in Cognito before the person approves.
    expect(facade.cognito.calls).toEqual([]);
  });

  it("warns when the answer goes to another host than the client_id's", async () => {
    const facade = withDocument({ ...DOCUMENT, redirect_uris: ["https://other.example.net/cb"] });
    const response = await facade.call(authorizePath({ client_id: CLIENT_ID }));
    const html = await response.text();
    expect(html).toContain(
      "The client says it is from app.example.com, but the answer goes to other.example.net. Approve only if you trust both.",
    );
  });

  it("a document URL on localhost is allowed while CIMD_ALLOW_LOCAL_URLS=true, refused otherwise", async () => {
    const local = "http://localhost:4000/client.json";
    const doc = { ...DOCUMENT, client_id: local, redirect_uris: ["http://localhost:4000/cb"] };
    const allowed = setup();
    allowed.cognito.serveDocument(local, doc);
    expect((await allowed.call(authorizePath({ client_id: local }))).status).toBe(200);
    const refused = setup({ vars: { CIMD_ALLOW_LOCAL_URLS: "false" } });
    refused.cognito.serveDocument(local, doc);
    await expectRefusalPage(
      await refused.call(authorizePath({ client_id: local })),
      "The client's metadata document was refused: client_id URL must use https",
    );
    expect(refused.cognito.documentFetches).toEqual([]);
  });
});

describe("a CIMD client is served by the shared public app client of its scope's group", () => {
  it("the first approval makes the group's app client, holding only the callback", async () => {
    const facade = withDocument(DOCUMENT, { APP_CLIENTS_PER_GROUP: "1" });
    const location = await approve(facade);
    const creates = facade.cognito.callsOf("CreateUserPoolClient");
    expect(creates).toHaveLength(1);
    // The fields that make it a public app client of the relay (token lifetimes are policy).
    expect(creates[0]?.input).toMatchObject({
      UserPoolId: POOL_ID,
      GenerateSecret: false,
      ClientName: expect.stringMatching(/^dcr-shared public [0-9a-f]{12} 0$/),
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["mcp-api/read", "mcp-api/write", "openid"],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ["COGNITO"],
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
    });
    const [cognitoClientId] = [...facade.cognito.clients.keys()];
    expect(`${location.origin}${location.pathname}`).toBe(COGNITO_AUTHORIZE);
    expect(location.searchParams.get("client_id")).toBe(cognitoClientId);
    expect(location.searchParams.get("redirect_uri")).toBe(CALLBACK);
    const record = await env.REGISTRATIONS.get<Record<string, unknown>>(
      `${CIMD_CLIENT_PREFIX}${await sha256Hex(CLIENT_ID)}`,
      "json",
    );
    expect(record).toEqual({
      url: CLIENT_ID,
      scope: "openid mcp-api/read mcp-api/write",
      createdAt: expect.any(Number),
      lastUsedAt: expect.any(Number),
    });
  });

  it("a second approval, from another browser, reuses it; so do another URL and a registration of the same settings", async () => {
    const facade = withDocument(DOCUMENT, { APP_CLIENTS_PER_GROUP: "1" });
    const first = await approve(facade);
    const second = await approve(facade);
    expect(second.searchParams.get("client_id")).toBe(first.searchParams.get("client_id"));
    const otherUrl = "https://other.example.com/client.json";
    facade.cognito.serveDocument(otherUrl, {
      ...DOCUMENT,
      client_id: otherUrl,
      redirect_uris: ["https://other.example.com/cb"],
    });
    const browser = browserOn(facade);
    const page = await browser.get(
      authorizePath({ client_id: otherUrl, redirect_uri: "https://other.example.com/cb" }),
    );
    const other = await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision: "approve",
    });
    expect(new URL(other.headers.get("location") ?? "").searchParams.get("client_id")).toBe(
      first.searchParams.get("client_id"),
    );
    const registered = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    const person = browserOn(facade);
    const back = await person.get(
      authorizePath({ client_id: registered.client_id, scope: "openid" }),
    );
    const dcr = await person.postForm("/authorize/decision", {
      transaction: readTransaction(await back.text()),
      decision: "approve",
    });
    expect(new URL(dcr.headers.get("location") ?? "").searchParams.get("client_id")).toBe(
      first.searchParams.get("client_id"),
    );
    expect(facade.cognito.callsOf("CreateUserPoolClient")).toHaveLength(1);
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toHaveLength(0);
    expect(facade.cognito.clients.size).toBe(1);
  });

  it("a changed document scope moves it to that scope's group; nothing is updated in Cognito", async () => {
    const facade = withDocument(DOCUMENT, { APP_CLIENTS_PER_GROUP: "1" });
    const first = await approve(facade);
    facade.cognito.serveDocument(CLIENT_ID, { ...DOCUMENT, scope: "openid email" });
    // The cached document expires (as its Cache-Control says it will).
    await env.REGISTRATIONS.delete(cimdDocumentKey(await sha256Hex(CLIENT_ID)));
    const second = await approve(facade, browserOn(facade), { scope: "openid email" });
    expect(second.searchParams.get("client_id")).not.toBe(first.searchParams.get("client_id"));
    expect(second.searchParams.get("scope")).toBe("openid email");
    const creates = facade.cognito.callsOf("CreateUserPoolClient");
    expect(creates).toHaveLength(2);
    expect(creates[1]?.input.AllowedOAuthScopes).toEqual([
      "email",
      "mcp-api/read",
      "mcp-api/write",
      "openid",
    ]);
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toEqual([]);
    const record = await env.REGISTRATIONS.get<{ scope: string }>(
      `${CIMD_CLIENT_PREFIX}${await sha256Hex(CLIENT_ID)}`,
      "json",
    );
    expect(record?.scope).toBe("openid email mcp-api/read mcp-api/write");
  });
});

describe("a refused client metadata document is a page, and nothing is created", () => {
  const cases: [string, () => Response, string][] = [
    [
      "a client_id that is not its URL",
      () => Response.json({ ...DOCUMENT, client_id: "https://app.example.com/other.json" }),
      "client_id in the document",
    ],
    ["a 404", () => new Response("not here", { status: 404 }), "answered HTTP 404, not 200"],
    [
      "a redirect",
      () => new Response(null, { status: 302, headers: { location: "https://evil.example.net/" } }),
      "redirects; redirects are not followed",
    ],
    ["a body that is not JSON", () => new Response("<html>"), "is not valid JSON"],
    [
      "a confidential client",
      () => Response.json({ ...DOCUMENT, token_endpoint_auth_method: "client_secret_basic" }),
      '"token_endpoint_auth_method" must be "none"',
    ],
    [
      "an http redirect URI off loopback",
      () => Response.json({ ...DOCUMENT, redirect_uris: ["http://app.example.com/cb"] }),
      "http is allowed only for localhost",
    ],
  ];

  it.each(cases)("%s", async (_, respond, message) => {
    const facade = withDocument(respond);
    const response = await facade.call(
      authorizePath({ client_id: CLIENT_ID, redirect_uri: REDIRECT }),
    );
    await expectRefusalPage(response, "The client's metadata document was refused: ", message);
    expect(facade.cognito.calls).toEqual([]);
  });

  it("a redirect_uri the document does not list", async () => {
    const facade = withDocument();
    await expectRefusalPage(
      await facade.call(
        authorizePath({ client_id: CLIENT_ID, redirect_uri: "https://app.example.com/other" }),
      ),
      "The redirect_uri is not registered for this client.",
    );
  });

  it("a client_id URL that is not in normalized form, without fetching it", async () => {
    const facade = withDocument();
    await expectRefusalPage(
      await facade.call(authorizePath({ client_id: "https://APP.example.com/client.json" })),
      "must be in normalized form",
    );
    expect(facade.cognito.documentFetches).toEqual([]);
  });
});

describe("POST /token with a CIMD client_id: relayed as the shared app client", () => {
  it("relays the code and a refresh as the app client, public; the refresh token is sealed for the URL", async () => {
    const facade = withDocument();
    const back = await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
    });
    expect(back.searchParams.get("state")).toBe(STATE);
    expect(back.searchParams.get("iss")).toBe(ISSUER);
    const [cognitoClientId] = [...facade.cognito.clients.keys()];
    const response = await facade.call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: back.searchParams.get("code") ?? "",
        code_verifier: VERIFIER,
        redirect_uri: REDIRECT,
        client_id: CLIENT_ID,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as Record<string, string>;
    expect(tokens).toEqual({
      ...facade.cognito.issuedTokens[0],
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/),
    });
    const [relayed] = facade.cognito.oauthCallsOf("token");
    expect(relayed?.authorization).toBe("");
    expect(relayed?.form.client_id).toBe(cognitoClientId);
    expect(relayed?.form.redirect_uri).toBe(CALLBACK);
    const refreshWith = (refreshToken: string) =>
      facade.call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: CLIENT_ID,
        }).toString(),
      });
    // Cognito's own refresh token is of no use outside the facade.
    await expectOAuthError(
      await refreshWith(facade.cognito.issuedTokens[0]?.refresh_token ?? ""),
      400,
      "invalid_grant",
    );
    const refresh = await refreshWith(tokens.refresh_token ?? "");
    expect(refresh.status).toBe(200);
    expect(((await refresh.json()) as { access_token: string }).access_token).toBe(
      facade.cognito.issuedTokens[1]?.access_token,
    );
    expect(facade.cognito.oauthCallsOf("token")[1]?.form).toMatchObject({
      client_id: cognitoClientId,
      refresh_token: facade.cognito.issuedTokens[0]?.refresh_token,
    });
  });

  it("a refresh a day or more after the last use records it (a client that only refreshes is not stale)", async () => {
    const clock = { now: NOW };
    const facade = setup({ now: () => clock.now });
    facade.cognito.serveDocument(CLIENT_ID, DOCUMENT);
    const back = await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
    });
    const form = (extra: Record<string, string>) =>
      facade.call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: CLIENT_ID, ...extra }).toString(),
      });
    const tokens = (await (
      await form({
        grant_type: "authorization_code",
        code: back.searchParams.get("code") ?? "",
        code_verifier: VERIFIER,
        redirect_uri: REDIRECT,
      })
    ).json()) as { refresh_token: string };
    const lastUsed = async () =>
      (
        await env.REGISTRATIONS.get<{ lastUsedAt: number }>(
          `${CIMD_CLIENT_PREFIX}${await sha256Hex(CLIENT_ID)}`,
          "json",
        )
      )?.lastUsedAt;
    expect(await lastUsed()).toBe(NOW / 1000);
    clock.now += 2 * 24 * 3600 * 1000;
    const refreshed = await form({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(await lastUsed()).toBe(clock.now / 1000);
  });

  it("a URL with its own app client from before app clients were shared: its unsealed refresh tokens still work", async () => {
    const facade = withDocument();
    const own = facade.cognito.seed({
      ClientName: "dcr-cimd app.example.com",
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ["code"],
    });
    await writeCimdClient(env.REGISTRATIONS, await sha256Hex(CLIENT_ID), {
      url: CLIENT_ID,
      cognitoClientId: own,
      cognitoClientName: "dcr-cimd app.example.com",
      scope: "openid mcp-api/read mcp-api/write",
      relayCallbackUrl: CALLBACK,
      createdAt: NOW / 1000,
      lastUsedAt: NOW / 1000,
    });
    const response = await facade.call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: facade.cognito.issueRefreshToken(own),
        client_id: CLIENT_ID,
      }).toString(),
    });
    expect(response.status).toBe(200);
    expect(facade.cognito.oauthCallsOf("token")[0]?.form.client_id).toBe(own);
    // A new sign-in goes through the shared app client; the record keeps the old one.
    const location = await approve(facade);
    expect(location.searchParams.get("client_id")).not.toBe(own);
    const record = await env.REGISTRATIONS.get<{ cognitoClientId: string }>(
      `${CIMD_CLIENT_PREFIX}${await sha256Hex(CLIENT_ID)}`,
      "json",
    );
    expect(record?.cognitoClientId).toBe(own);
  });

  it("a URL that never got an app client, or a secret → 401 invalid_client", async () => {
    const facade = withDocument();
    const token = (form: Record<string, string>) =>
      facade.call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r", ...form }),
      });
    await expectOAuthError(
      await token({ client_id: CLIENT_ID }),
      401,
      "invalid_client",
      "the client is not known to this server",
    );
    await approve(facade);
    await expectOAuthError(
      await token({ client_id: CLIENT_ID, client_secret: "s" }),
      401,
      "invalid_client",
      "this client is public: send client_id only, with no secret",
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });
});

describe("a CIMD URL's first approval is limited like POST /register", () => {
  const refusing = {
    limit: async () => ({ success: false }),
  } as unknown as RateLimit;

  it("the per-IP rate limit: the approval goes back as temporarily_unavailable, nothing created", async () => {
    const facade = withDocument(DOCUMENT, { REGISTER_RATE_LIMITER: refusing });
    const browser = browserOn(facade);
    const page = await browser.get(authorizePath({ client_id: CLIENT_ID, redirect_uri: REDIRECT }));
    const response = await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision: "approve",
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: "temporarily_unavailable",
      error_description: "too many registrations; retry later",
      state: STATE,
      iss: ISSUER,
    });
    expect(facade.cognito.callsOf("CreateUserPoolClient")).toEqual([]);
  });

  it("the daily cap per source counts CIMD creations and registrations together", async () => {
    const facade = withDocument(DOCUMENT, { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" });
    await approve(facade);
    const register = await facade.register(INSPECTOR);
    await expectOAuthError(register, 429, "temporarily_unavailable");
    // A URL already recorded is not limited again.
    await approve(facade);
  });

  it("a source over its daily cap cannot bring a new one", async () => {
    const facade = withDocument(DOCUMENT, { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" });
    expect((await facade.register(INSPECTOR)).status).toBe(201);
    const browser = browserOn(facade);
    const page = await browser.get(authorizePath({ client_id: CLIENT_ID, redirect_uri: REDIRECT }));
    const response = await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision: "approve",
    });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("temporarily_unavailable");
    expect(facade.cognito.calls).toEqual([]);
  });
});
