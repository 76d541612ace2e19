import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clientKey } from "../src/storage/keys";
import type { RegistrationRecord } from "../src/storage/records";
import {
  authorizePath,
  type Browser,
  browserOn,
  CALLBACK,
  CHALLENGE,
  COGNITO_AUTHORIZE,
  expectOAuthError,
  ISSUER,
  NOW,
  readTransaction,
  registerClient,
  seedLegacyRegistration,
  setup,
  signInThroughFrontDoor,
  VERIFIER,
} from "./support";

const WEB_REDIRECT = "https://app.example.com/cb";
const LOOPBACK_REDIRECT = "http://127.0.0.1:8765/callback";
const STATE = "client-state-123";
const COGNITO_ORIGIN = new URL(COGNITO_AUTHORIZE).origin;
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const WEB_CLIENT = {
  redirect_uris: [WEB_REDIRECT],
  client_name: "Web App",
  token_endpoint_auth_method: "none",
};
const LOOPBACK_CLIENT = {
  redirect_uris: [LOOPBACK_REDIRECT],
  client_name: "Desktop Tool",
  token_endpoint_auth_method: "none",
};

/** A front door with a clock the test moves. */
function clocked(vars: Partial<Env> = {}) {
  const clock = { now: NOW };
  const facade = setup({ now: () => clock.now, vars });
  return { facade, clock };
}

/** Expects the front door's HTML error page. */
async function expectPage(response: Response, status: number, message: string) {
  const html = await response.text();
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("location")).toBeNull();
  expect(html).toContain(message.replace(/'/g, "&#39;"));
  return html;
}

/** Expects an authorization error redirect (RFC 6749 §4.1.2.1) with RFC 9207's `iss`. */
function expectRedirectError(
  response: Response,
  redirectUri: string,
  error: string,
  state: string | null = STATE,
) {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  expect(location.searchParams.get("error")).toBe(error);
  expect(location.searchParams.get("state")).toBe(state);
  expect(location.searchParams.get("iss")).toBe(ISSUER);
  expect(location.searchParams.has("code")).toBe(false);
  return location;
}

/** The `Set-Cookie` lines of a response whose cookie name starts with `prefix`. */
function setCookies(response: Response, prefix: string): string[] {
  return response.headers.getSetCookie().filter((line) => line.startsWith(prefix));
}

/** Shows the consent page for a request and returns its sealed transaction. */
async function consent(browser: Browser, params: Record<string, string | undefined>) {
  const response = await browser.get(authorizePath(params));
  expect(response.status).toBe(200);
  return readTransaction(await response.text());
}

/** Approves (or denies) a transaction from `browser`. */
function decide(browser: Browser, transaction: string, decision = "approve") {
  return browser.postForm("/authorize/decision", { transaction, decision });
}

/** The relayed code of a sign-in, with everything the client needs to redeem it. */
async function relayedCode(
  facade: ReturnType<typeof setup>,
  clientId: string,
  params: Record<string, string | undefined> = {},
) {
  const back = await signInThroughFrontDoor(facade, browserOn(facade), {
    client_id: clientId,
    redirect_uri: WEB_REDIRECT,
    ...params,
  });
  const code = back.searchParams.get("code");
  if (!code) throw new Error(`no code in ${back}`);
  return code;
}

function postToken(
  facade: ReturnType<typeof setup>,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return facade.call("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

/** The shared app clients the fake Cognito holds. */
function sharedAppClients(facade: ReturnType<typeof setup>) {
  return [...facade.cognito.clients.values()].filter((client) =>
    client.ClientName.startsWith("dcr-shared "),
  );
}

/** The one shared app client made so far. */
function theSharedAppClient(facade: ReturnType<typeof setup>) {
  const [app, ...more] = sharedAppClients(facade);
  if (!app || more.length > 0) throw new Error(`${sharedAppClients(facade).length} app clients`);
  return app;
}

/** A sealed value: `<iv>.<ciphertext>`, base64url. */
const SEALED = /^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/;

describe("OAuth 2.1 §4.1.2.1: until the redirect URI is trusted, /authorize errors are pages", () => {
  const cases: [string, (clientId: string) => string, string][] = [
    ["no client_id", () => "/authorize?response_type=code", "The request names no client_id."],
    [
      "a repeated client_id",
      (id) => `/authorize?client_id=${id}&client_id=${id}&response_type=code`,
      "client_id must not be repeated.",
    ],
    [
      "an unknown client_id",
      () => authorizePath({ client_id: "nosuchclient0000000000000a", redirect_uri: WEB_REDIRECT }),
      "The client_id is not registered with this server.",
    ],
    [
      "an unregistered redirect_uri",
      (id) => authorizePath({ client_id: id, redirect_uri: "https://evil.example.net/cb" }),
      "The redirect_uri is not registered for this client.",
    ],
    [
      "no redirect_uri while several are registered",
      (id) => authorizePath({ client_id: id }),
      "The request names no redirect_uri, and the client has more than one.",
    ],
    [
      "a repeated redirect_uri",
      (id) =>
        `${authorizePath({ client_id: id, redirect_uri: WEB_REDIRECT })}&redirect_uri=${encodeURIComponent(WEB_REDIRECT)}`,
      "redirect_uri must not be repeated.",
    ],
  ];

  it.each(cases)("%s: 400, HTML, not frameable, no redirect", async (_, path, message) => {
    const facade = setup();
    const { client_id } = await registerClient(facade, {
      ...WEB_CLIENT,
      redirect_uris: [WEB_REDIRECT, "https://app.example.com/other"],
    });
    const response = await facade.call(path(client_id));
    await expectPage(response, 400, message);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(facade.cognito.calls).toEqual([]);
  });

  it("without redirect_uri, the one registered URI is used", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(authorizePath({ client_id }));
    expect(response.status).toBe(200);
  });
});

describe("RFC 6749 §4.1.2.1 and RFC 9207: other /authorize errors go back with error, state and iss", () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    ["response_type=token", { response_type: "token" }, "unsupported_response_type", "only"],
    ["no response_type", { response_type: undefined }, "invalid_request", "response_type"],
    ["no code_challenge", { code_challenge: undefined }, "invalid_request", "code_challenge"],
    [
      "code_challenge_method=plain",
      { code_challenge_method: "plain" },
      "invalid_request",
      "code_challenge_method",
    ],
    [
      "no code_challenge_method",
      { code_challenge_method: undefined },
      "invalid_request",
      "code_challenge_method",
    ],
    [
      "a code_challenge that is not a SHA-256",
      { code_challenge: "short" },
      "invalid_request",
      "code_challenge",
    ],
    ["a scope outside the registration", { scope: "openid admin" }, "invalid_scope", "admin"],
    ["a resource that is not a URI", { resource: "not a uri" }, "invalid_target", "resource"],
    [
      "a resource with a fragment",
      { resource: "https://mcp.example.com/mcp#x" },
      "invalid_target",
      "resource",
    ],
    ["a request object", { request: "eyJhbGciOiJub25lIn0.e30." }, "invalid_request", "request"],
  ];

  it.each(cases)("%s → %s", async (_, params, error, mentioned) => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      authorizePath({ client_id, redirect_uri: WEB_REDIRECT, ...params }),
    );
    const location = expectRedirectError(response, WEB_REDIRECT, error);
    expect(location.searchParams.get("error_description")).toContain(mentioned);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("a repeated parameter is invalid_request naming it", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      `${authorizePath({ client_id, redirect_uri: WEB_REDIRECT, scope: "openid" })}&scope=openid`,
    );
    const location = expectRedirectError(response, WEB_REDIRECT, "invalid_request");
    expect(location.searchParams.get("error_description")).toBe('"scope" must not be repeated');
  });

  it("a repeated state is not echoed", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      `${authorizePath({ client_id, redirect_uri: WEB_REDIRECT })}&state=other`,
    );
    expectRedirectError(response, WEB_REDIRECT, "invalid_request", null);
  });

  it("an error redirect keeps the redirect URI's own query", async () => {
    const facade = setup();
    const redirect = "https://app.example.com/cb?tenant=7";
    const { client_id } = await registerClient(facade, {
      ...WEB_CLIENT,
      redirect_uris: [redirect],
    });
    const response = await facade.call(
      authorizePath({ client_id, redirect_uri: redirect, response_type: "token" }),
    );
    const location = expectRedirectError(response, WEB_REDIRECT, "unsupported_response_type");
    expect(location.searchParams.get("tenant")).toBe("7");
  });
});

describe("scope: offline_access is dropped (Cognito refuses it and issues refresh tokens anyway)", () => {
  it("is neither shown nor forwarded to Cognito", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const page = await browser.get(
      authorizePath({
        client_id,
        redirect_uri: WEB_REDIRECT,
        scope: "openid offline_access mcp-api/read",
      }),
    );
    const html = await page.text();
    expect(html).toContain("<code>openid</code>");
    expect(html).toContain("<code>mcp-api/read</code>");
    expect(html).not.toContain("offline_access");
    const approved = await decide(browser, readTransaction(html));
    const cognito = new URL(approved.headers.get("location") ?? "");
    expect(cognito.searchParams.get("scope")).toBe("openid mcp-api/read");
  });

  it("an absent scope asks for the default scopes", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const approved = await decide(
      browser,
      await consent(browser, { client_id, redirect_uri: WEB_REDIRECT }),
    );
    expect(new URL(approved.headers.get("location") ?? "").searchParams.get("scope")).toBe(
      "openid mcp-api/read",
    );
  });
});

describe("RFC 8252 §7.3: a loopback redirect URI matches on any port, nothing else does", () => {
  it("accepts the registered loopback URI on another port and answers there", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, LOOPBACK_CLIENT);
    const back = await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id,
      redirect_uri: "http://127.0.0.1:51234/callback",
    });
    expect(`${back.origin}${back.pathname}`).toBe("http://127.0.0.1:51234/callback");
    expect(back.searchParams.get("code")).toBeTruthy();
  });

  it.each([
    ["another path", "http://127.0.0.1:51234/other"],
    ["another loopback host", "http://localhost:8765/callback"],
    ["https on the loopback host", "https://127.0.0.1:8765/callback"],
  ])("refuses %s", async (_, redirectUri) => {
    const facade = setup();
    const { client_id } = await registerClient(facade, LOOPBACK_CLIENT);
    const response = await facade.call(authorizePath({ client_id, redirect_uri: redirectUri }));
    await expectPage(response, 400, "The redirect_uri is not registered for this client.");
  });

  it("VS Code's registration: an origin alone (http://127.0.0.1:33418), signed in and redeemed", async () => {
    const facade = setup();
    const vscode = "http://127.0.0.1:33418";
    const { client_id } = await registerClient(facade, {
      redirect_uris: [vscode, "https://vscode.dev/redirect"],
      client_name: "Visual Studio Code",
      token_endpoint_auth_method: "none",
    });
    const back = await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id,
      redirect_uri: vscode,
    });
    expect(`${back.origin}${back.pathname}`).toBe(`${vscode}/`);
    const code = back.searchParams.get("code") ?? "";
    expect(code).not.toBe("");
    const response = await postToken(facade, {
      grant_type: "authorization_code",
      code,
      code_verifier: VERIFIER,
      redirect_uri: vscode,
      client_id,
    });
    expect(response.status).toBe(200);
  });

  it("refuses a non-loopback redirect URI on another port", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      authorizePath({ client_id, redirect_uri: "https://app.example.com:8443/cb" }),
    );
    await expectPage(response, 400, "The redirect_uri is not registered for this client.");
  });
});

describe("the consent page says who asks and where the answer goes", () => {
  it("escapes a hostile client_name", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, {
      ...WEB_CLIENT,
      client_name: `<script>alert("x")</script><img src=x onerror=alert(1)>`,
    });
    const response = await facade.call(authorizePath({ client_id, redirect_uri: WEB_REDIRECT }));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("shows the redirect host and the client id, and sets a one-time binding cookie", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      authorizePath({
        client_id,
        redirect_uri: WEB_REDIRECT,
        scope: "openid mcp-api/write",
        nonce: "n-0S6_WzA2Mj",
      }),
    );
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(html).toContain("Web App wants to use your account");
    expect(html).toContain("<code>app.example.com</code>");
    expect(html).toContain(`<code>${client_id}</code>`);
    expect(html).toContain("Create and change your saved contexts (mcp-api)");
    expect(html).toContain('<form method="post" action="/authorize/decision">');
    expect(html).toContain('name="decision" value="approve"');
    expect(html).toContain('name="decision" value="deny"');
    expect(html).not.toContain("runs on a computer");
    // The transaction is sealed: nothing of the request reads through it.
    const transaction = readTransaction(html);
    expect(transaction).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    for (const secretish of [CHALLENGE, STATE, "n-0S6_WzA2Mj"])
      expect(html).not.toContain(secretish);
    const [binding, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    // http issuer: no __Host- prefix and no Secure (browsers refuse both on plain http).
    expect(binding).toMatch(
      /^mcp_fd_tx_[A-Za-z0-9_-]{16}=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/,
    );
  });

  it("warns when the client's answer goes to a local address", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, LOOPBACK_CLIENT);
    const response = await facade.call(
      authorizePath({ client_id, redirect_uri: LOOPBACK_REDIRECT }),
    );
    const html = await response.text();
    expect(html).toContain("<code>127.0.0.1:8765</code>");
    expect(html).toContain("This client runs on a computer");
  });

  it("CSP form-action allows only itself, Cognito's login and the client's redirect origin", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(authorizePath({ client_id, redirect_uri: WEB_REDIRECT }));
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'none'; style-src 'self'; form-action 'self' ${COGNITO_ORIGIN} https://app.example.com; frame-ancestors 'none'; base-uri 'none'`,
    );
  });

  it("OIDC Core §3.1.2.6: prompt=none without a remembered approval is consent_required", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call(
      authorizePath({ client_id, redirect_uri: WEB_REDIRECT, prompt: "none" }),
    );
    expectRedirectError(response, WEB_REDIRECT, "consent_required");
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe("POST /authorize/decision: the person's answer, from the browser that asked", () => {
  it("approve → Cognito's authorize as the client's app client, through the callback relay", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, {
      client_id,
      redirect_uri: WEB_REDIRECT,
      scope: "openid mcp-api/read",
      resource: "https://mcp.example.com/mcp",
      nonce: "n-0S6_WzA2Mj",
    });
    const response = await decide(browser, transaction);
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(COGNITO_AUTHORIZE);
    const { state, ...params } = Object.fromEntries(location.searchParams);
    // The shared app client of the registration's group, made on this first sign-in.
    const app = theSharedAppClient(facade);
    expect(app.ClientId).not.toBe(client_id);
    expect(params).toEqual({
      response_type: "code",
      client_id: app.ClientId,
      redirect_uri: CALLBACK,
      scope: "openid mcp-api/read",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
      resource: "https://mcp.example.com/mcp",
      nonce: "n-0S6_WzA2Mj",
    });
    // Cognito sees a sealed state, never the client's.
    expect(state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(state).not.toContain(STATE);
    const [consentCookie, ...more] = setCookies(response, "mcp_fd_consent=");
    expect(more).toEqual([]);
    expect(consentCookie).toMatch(
      /^mcp_fd_consent=[A-Za-z0-9_.-]+; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/,
    );
    // The binding cookie lives on through Cognito's login.
    expect(setCookies(response, "mcp_fd_tx_")[0]).toMatch(/; Max-Age=900; HttpOnly; SameSite=Lax$/);
  });

  it("deny → access_denied with state and iss, the binding cleared, nothing remembered", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    const response = await decide(browser, transaction, "deny");
    expectRedirectError(response, WEB_REDIRECT, "access_denied");
    expect(setCookies(response, "mcp_fd_tx_")[0]).toMatch(/=; Path=\/; Max-Age=0;/);
    expect(setCookies(response, "mcp_fd_consent=")).toEqual([]);
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toEqual([]);
  });

  it("a transaction posted without its binding cookie → 403 page", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const transaction = await consent(browserOn(facade), {
      client_id,
      redirect_uri: WEB_REDIRECT,
    });
    // Another browser (the attacker's page auto-submitting a transaction it obtained).
    const response = await decide(browserOn(facade), transaction);
    await expectPage(response, 403, "This approval was not started in this browser.");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("a tampered transaction → 400 page", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    const last = transaction.at(-2) === "A" ? "B" : "A";
    const tampered = `${transaction.slice(0, -2)}${last}${transaction.slice(-1)}`;
    const response = await decide(browser, tampered);
    await expectPage(response, 400, "This approval has expired or was not issued by this server.");
  });

  it("an expired transaction (15 minutes) → 400 page", async () => {
    const { facade, clock } = clocked();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    clock.now += 15 * MINUTE_MS;
    const response = await decide(browser, transaction);
    await expectPage(response, 400, "This approval has expired or was not issued by this server.");
  });

  it("a foreign Origin → 403 page", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    const response = await browser.postForm(
      "/authorize/decision",
      { transaction, decision: "approve" },
      { origin: "https://evil.example.net" },
    );
    await expectPage(response, 403, "This approval was sent from another site.");
  });

  it("a decision that is neither approve nor deny → 400 page", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    await expectPage(
      await decide(browser, transaction, "maybe"),
      400,
      "The decision must be approve or deny.",
    );
  });
});

describe("remembered approval (CONSENT_TTL_DAYS)", () => {
  async function approveOnce(facade: ReturnType<typeof setup>, scope = "openid mcp-api/read") {
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT, scope });
    expect((await decide(browser, transaction)).status).toBe(302);
    return { client_id, browser };
  }

  it("skips the page for the same client and scopes, with a fresh binding cookie", async () => {
    const facade = setup();
    const { client_id, browser } = await approveOnce(facade);
    const response = await browser.get(
      authorizePath({ client_id, redirect_uri: WEB_REDIRECT, scope: "openid" }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(`${COGNITO_AUTHORIZE}?`);
    expect(setCookies(response, "mcp_fd_tx_")).toHaveLength(1);
  });

  it("prompt=none goes on to Cognito with prompt=none once remembered", async () => {
    const facade = setup();
    const { client_id, browser } = await approveOnce(facade);
    const response = await browser.get(
      authorizePath({ client_id, redirect_uri: WEB_REDIRECT, scope: "openid", prompt: "none" }),
    );
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("prompt")).toBe("none");
  });

  it("asks again for a grown scope, then remembers the union", async () => {
    const facade = setup();
    const { client_id, browser } = await approveOnce(facade);
    const grown = { client_id, redirect_uri: WEB_REDIRECT, scope: "openid mcp-api/write" };
    const transaction = await consent(browser, grown);
    expect((await decide(browser, transaction)).status).toBe(302);
    const again = await browser.get(
      authorizePath({ ...grown, scope: "openid mcp-api/read mcp-api/write" }),
    );
    expect(again.status).toBe(302);
  });

  it("asks again for prompt=consent, for another client, and in another browser", async () => {
    const facade = setup();
    const { client_id, browser } = await approveOnce(facade);
    const params = { client_id, redirect_uri: WEB_REDIRECT, scope: "openid" };
    expect((await browser.get(authorizePath({ ...params, prompt: "consent" }))).status).toBe(200);
    expect((await browserOn(facade).get(authorizePath(params))).status).toBe(200);
    const other = await registerClient(facade, WEB_CLIENT);
    expect(
      (await browser.get(authorizePath({ ...params, client_id: other.client_id }))).status,
    ).toBe(200);
  });

  it("forgets the approval after CONSENT_TTL_DAYS", async () => {
    const { facade, clock } = clocked();
    const { client_id, browser } = await approveOnce(facade);
    const path = authorizePath({ client_id, redirect_uri: WEB_REDIRECT, scope: "openid" });
    clock.now += 29 * DAY_MS;
    expect((await browser.get(path)).status).toBe(302);
    clock.now += 2 * DAY_MS;
    expect((await browser.get(path)).status).toBe(200);
  });

  it("CONSENT_TTL_DAYS=0 asks every time and sets no consent cookie", async () => {
    const facade = setup({ vars: { CONSENT_TTL_DAYS: "0" } });
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const params = { client_id, redirect_uri: WEB_REDIRECT };
    const approved = await decide(browser, await consent(browser, params));
    expect(approved.status).toBe(302);
    expect(setCookies(approved, "mcp_fd_consent=")).toEqual([]);
    expect((await browser.get(authorizePath(params))).status).toBe(200);
  });

  it("CONSENT_TTL_DAYS=0 also ignores an approval remembered before it was set", async () => {
    const { client_id, browser } = await approveOnce(setup());
    const strict = browserOn(setup({ vars: { CONSENT_TTL_DAYS: "0" } }));
    for (const [name, value] of browser.jar.cookies) strict.jar.cookies.set(name, value);
    const path = authorizePath({ client_id, redirect_uri: WEB_REDIRECT, scope: "openid" });
    expect((await browser.get(path)).status).toBe(302);
    expect((await strict.get(path)).status).toBe(200);
  });
});

describe("GET /callback: Cognito's answer is relayed only to the browser that started the sign-in", () => {
  /** Approves a sign-in and returns Cognito's redirect back to the front door. */
  async function cognitoAnswer(facade: ReturnType<typeof setup>, browser: Browser) {
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    const approved = await decide(browser, transaction);
    return { client_id, toCognito: approved.headers.get("location") ?? "" };
  }

  it("no state, or a forged one → 400 page", async () => {
    const facade = setup();
    const message = "This sign-in response was not started by this server, or it has expired.";
    await expectPage(await facade.call("/callback?code=abc"), 400, message);
    await expectPage(await facade.call("/callback?code=abc&state=AAAA.BBBB"), 400, message);
  });

  it("the consent transaction cannot pass for a state sent to Cognito", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const browser = browserOn(facade);
    const transaction = await consent(browser, { client_id, redirect_uri: WEB_REDIRECT });
    const response = await browser.get(`/callback?code=abc&state=${transaction}`);
    await expectPage(
      response,
      400,
      "This sign-in response was not started by this server, or it has expired.",
    );
  });

  it("a state without its binding cookie (state replay into another browser) → 403 page", async () => {
    const facade = setup();
    const attacker = browserOn(facade);
    const { toCognito } = await cognitoAnswer(facade, attacker);
    // The attacker signs in as themself and sends Cognito's redirect to the victim.
    const callback = facade.cognito.signIn(toCognito);
    const response = await browserOn(facade).get(callback);
    await expectPage(response, 403, "This sign-in was not started in this browser.");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("with the cookie → 302 to the client with a sealed code, its state and iss; binding cleared", async () => {
    const facade = setup();
    const browser = browserOn(facade);
    const { toCognito } = await cognitoAnswer(facade, browser);
    const callback = facade.cognito.signIn(toCognito);
    const cognitoCode = new URL(callback).searchParams.get("code") ?? "";
    const response = await browser.get(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(WEB_REDIRECT);
    expect([...location.searchParams.keys()].sort()).toEqual(["code", "iss", "state"]);
    expect(location.searchParams.get("state")).toBe(STATE);
    expect(location.searchParams.get("iss")).toBe(ISSUER);
    const code = location.searchParams.get("code") ?? "";
    expect(code).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(code).not.toContain(cognitoCode);
    const [cleared, ...more] = setCookies(response, "mcp_fd_tx_");
    expect(more).toEqual([]);
    expect(cleared).toMatch(
      /^mcp_fd_tx_[A-Za-z0-9_-]+=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/,
    );
    // The same answer a second time finds no binding: it is used once.
    await expectPage(await browser.get(callback), 403, "not started in this browser");
  });

  it("Cognito's access_denied is relayed with the client's state and iss", async () => {
    const facade = setup();
    const browser = browserOn(facade);
    const { toCognito } = await cognitoAnswer(facade, browser);
    const state = new URL(toCognito).searchParams.get("state") ?? "";
    const response = await browser.get(
      `/callback?${new URLSearchParams({ error: "access_denied", error_description: "User cancelled", state })}`,
    );
    const location = expectRedirectError(response, WEB_REDIRECT, "access_denied");
    expect(location.searchParams.get("error_description")).toBe("User cancelled");
    expect(setCookies(response, "mcp_fd_tx_")[0]).toMatch(/; Max-Age=0;/);
  });

  it("an error Cognito should not send becomes server_error; a description outside RFC 6749's charset is dropped", async () => {
    const facade = setup();
    const browser = browserOn(facade);
    const { toCognito } = await cognitoAnswer(facade, browser);
    const state = new URL(toCognito).searchParams.get("state") ?? "";
    const response = await browser.get(
      `/callback?${new URLSearchParams({ error: "redirect_mismatch", error_description: 'say "hi"', state })}`,
    );
    const location = expectRedirectError(response, WEB_REDIRECT, "server_error");
    expect(location.searchParams.get("error_description")).toBeNull();
  });

  it("an answer without a code is server_error", async () => {
    const facade = setup();
    const browser = browserOn(facade);
    const { toCognito } = await cognitoAnswer(facade, browser);
    const state = new URL(toCognito).searchParams.get("state") ?? "";
    const response = await browser.get(`/callback?state=${state}`);
    expectRedirectError(response, WEB_REDIRECT, "server_error");
  });
});

describe("POST /token: client authentication as registered (RFC 6749 §2.3), relayed to Cognito", () => {
  it("none: the code exchanged with client_id alone; Cognito's tokens come back, the refresh token sealed", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const code = await relayedCode(facade, client_id);
    expect(facade.cognito.oauthCalls).toEqual([]);
    const response = await postToken(facade, {
      grant_type: "authorization_code",
      code,
      code_verifier: VERIFIER,
      redirect_uri: WEB_REDIRECT,
      client_id,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const issued = facade.cognito.issuedTokens[0];
    const body = (await response.json()) as Record<string, string>;
    expect(body).toEqual({ ...issued, refresh_token: expect.stringMatching(SEALED) });
    expect(body.refresh_token).not.toContain(issued?.refresh_token ?? "-");
    const [relayed, ...more] = facade.cognito.oauthCallsOf("token");
    expect(more).toEqual([]);
    expect(relayed?.authorization).toBe("");
    expect(relayed?.form).toEqual({
      grant_type: "authorization_code",
      code: expect.stringMatching(/^cognito-code-/),
      redirect_uri: CALLBACK,
      code_verifier: VERIFIER,
      client_id: theSharedAppClient(facade).ClientId,
    });
  });

  it("client_secret_basic: checked by the facade; Cognito gets the shared app client's credentials", async () => {
    const facade = setup();
    const { client_id, client_secret } = await registerClient(facade, {
      ...WEB_CLIENT,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const code = await relayedCode(facade, client_id);
    const response = await postToken(
      facade,
      {
        grant_type: "authorization_code",
        code,
        code_verifier: VERIFIER,
        redirect_uri: WEB_REDIRECT,
      },
      { authorization: basic(client_id, client_secret ?? "") },
    );
    expect(response.status).toBe(200);
    const app = theSharedAppClient(facade);
    expect(app.ClientSecret).toBeTruthy();
    const [relayed] = facade.cognito.oauthCallsOf("token");
    expect(relayed?.authorization).toBe(basic(app.ClientId, app.ClientSecret as string));
    expect(relayed?.authorization).not.toContain(btoa(client_id).slice(0, 8));
    expect(relayed?.form).not.toHaveProperty("client_id");
    expect(relayed?.form).not.toHaveProperty("client_secret");
  });

  it("client_secret_post: the secret in the body is checked; Cognito gets Basic, never the client's secret", async () => {
    const facade = setup();
    const { client_id, client_secret } = await registerClient(facade, {
      ...WEB_CLIENT,
      token_endpoint_auth_method: "client_secret_post",
    });
    const code = await relayedCode(facade, client_id);
    const response = await postToken(facade, {
      grant_type: "authorization_code",
      code,
      code_verifier: VERIFIER,
      redirect_uri: WEB_REDIRECT,
      client_id,
      client_secret: client_secret ?? "",
    });
    expect(response.status).toBe(200);
    const app = theSharedAppClient(facade);
    const [relayed] = facade.cognito.oauthCallsOf("token");
    expect(relayed?.authorization).toBe(basic(app.ClientId, app.ClientSecret as string));
    expect(relayed?.form).not.toHaveProperty("client_secret");
    expect(JSON.stringify(relayed)).not.toContain(client_secret);
  });

  it("a wrong secret → 401 invalid_client with a challenge; nothing relayed", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, {
      ...WEB_CLIENT,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const code = await relayedCode(facade, client_id);
    const response = await postToken(
      facade,
      {
        grant_type: "authorization_code",
        code,
        code_verifier: VERIFIER,
        redirect_uri: WEB_REDIRECT,
      },
      { authorization: basic(client_id, "not-the-secret") },
    );
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="token"');
    await expectOAuthError(response, 401, "invalid_client", "client authentication failed");
    expect(facade.cognito.oauthCallsOf("token")).toEqual([]);
  });

  it("a registration with its own app client: Cognito checks the client's own secret", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: [WEB_REDIRECT], tokenEndpointAuthMethod: "client_secret_basic" },
      relayCallbackUrl: CALLBACK,
    });
    const code = await relayedCode(facade, legacy.clientId);
    const wrong = await postToken(
      facade,
      {
        grant_type: "authorization_code",
        code,
        code_verifier: VERIFIER,
        redirect_uri: WEB_REDIRECT,
      },
      { authorization: basic(legacy.clientId, "not-the-secret") },
    );
    await expectOAuthError(wrong, 401, "invalid_client", "client authentication failed");
    const [relayed] = facade.cognito.oauthCallsOf("token");
    expect(relayed?.authorization).toBe(basic(legacy.clientId, "not-the-secret"));
    expect(sharedAppClients(facade)).toEqual([]);
  });

  it.each([
    ["a basic client sending its secret in the body", "client_secret_basic", "post"],
    ["a post client sending Basic", "client_secret_post", "basic"],
    ["a confidential client sending no secret", "client_secret_basic", "none"],
    ["a public client sending a secret", "none", "post"],
  ] as const)("%s → 401 invalid_client, nothing relayed", async (_, registered, sent) => {
    const facade = setup();
    const { client_id, client_secret = "some-secret" } = await registerClient(facade, {
      ...WEB_CLIENT,
      token_endpoint_auth_method: registered,
    });
    const form: Record<string, string> = {
      grant_type: "refresh_token",
      refresh_token: facade.cognito.issueRefreshToken(client_id),
    };
    const headers: Record<string, string> = {};
    if (sent === "basic") headers.authorization = basic(client_id, client_secret);
    else form.client_id = client_id;
    if (sent === "post") form.client_secret = client_secret;
    const response = await postToken(facade, form, headers);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="token"');
    await expectOAuthError(response, 401, "invalid_client");
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("an unknown client → 401 invalid_client", async () => {
    const facade = setup();
    const response = await postToken(facade, {
      grant_type: "refresh_token",
      refresh_token: "r",
      client_id: "nosuchclient0000000000000a",
    });
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="token"');
    await expectOAuthError(
      response,
      401,
      "invalid_client",
      "the client is not known to this server",
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });
});

describe("POST /token: a relayed code is redeemed only by its client, for its redirect URI, in time", () => {
  async function codeFor(facade: ReturnType<typeof setup>) {
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    return { client_id, code: await relayedCode(facade, client_id) };
  }
  const redeem = (code: string, clientId: string, more: Record<string, string> = {}) => ({
    grant_type: "authorization_code",
    code,
    code_verifier: VERIFIER,
    redirect_uri: WEB_REDIRECT,
    client_id: clientId,
    ...more,
  });

  it("a code issued to another client → invalid_grant", async () => {
    const facade = setup();
    const { code } = await codeFor(facade);
    const other = await registerClient(facade, WEB_CLIENT);
    await expectOAuthError(
      await postToken(facade, redeem(code, other.client_id)),
      400,
      "invalid_grant",
      "the code was issued to another client",
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("another redirect_uri, or none when the request named one → invalid_grant", async () => {
    const facade = setup();
    const { client_id, code } = await codeFor(facade);
    const mismatch = '"redirect_uri" does not match the authorization request';
    await expectOAuthError(
      await postToken(
        facade,
        redeem(code, client_id, { redirect_uri: "https://app.example.com/x" }),
      ),
      400,
      "invalid_grant",
      mismatch,
    );
    const { redirect_uri: _, ...withoutRedirect } = redeem(code, client_id);
    await expectOAuthError(
      await postToken(facade, withoutRedirect),
      400,
      "invalid_grant",
      mismatch,
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("without redirect_uri in the request, the token request may leave it out", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const code = await relayedCode(facade, client_id, { redirect_uri: undefined });
    const { redirect_uri: _, ...form } = redeem(code, client_id);
    expect((await postToken(facade, form)).status).toBe(200);
  });

  it("a tampered code → invalid_grant", async () => {
    const facade = setup();
    const { client_id, code } = await codeFor(facade);
    const tampered = `${code.slice(0, -3)}${code.at(-3) === "A" ? "B" : "A"}${code.slice(-2)}`;
    await expectOAuthError(
      await postToken(facade, redeem(tampered, client_id)),
      400,
      "invalid_grant",
      "the code is invalid, expired, or was not issued by this server",
    );
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("a code older than 5 minutes → invalid_grant", async () => {
    const { facade, clock } = clocked();
    const { client_id, code } = await codeFor(facade);
    clock.now += 5 * MINUTE_MS;
    await expectOAuthError(await postToken(facade, redeem(code, client_id)), 400, "invalid_grant");
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("a wrong code_verifier is Cognito's invalid_grant; a second use too", async () => {
    const facade = setup();
    const { client_id, code } = await codeFor(facade);
    await expectOAuthError(
      await postToken(facade, redeem(code, client_id, { code_verifier: "x".repeat(43) })),
      400,
      "invalid_grant",
    );
    await expectOAuthError(await postToken(facade, redeem(code, client_id)), 400, "invalid_grant");
    expect(facade.cognito.oauthCallsOf("token")).toHaveLength(2);
  });

  it("a missing code_verifier → invalid_request", async () => {
    const facade = setup();
    const { client_id, code } = await codeFor(facade);
    const { code_verifier: _, ...form } = redeem(code, client_id);
    await expectOAuthError(
      await postToken(facade, form),
      400,
      "invalid_request",
      '"code_verifier" is required',
    );
  });

  it("an unsupported or missing grant_type", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    await expectOAuthError(
      await postToken(facade, { grant_type: "password", client_id }),
      400,
      "unsupported_grant_type",
    );
    await expectOAuthError(
      await postToken(facade, { client_id }),
      400,
      "invalid_request",
      '"grant_type" is required',
    );
  });

  it("a body that is not a form → 415; a form over 16 KiB → 413", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const json = await facade.call("/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token", client_id }),
    });
    await expectOAuthError(json, 415, "invalid_request");
    const big = await postToken(facade, {
      grant_type: "refresh_token",
      client_id,
      refresh_token: "r".repeat(16 * 1024),
    });
    await expectOAuthError(big, 413, "invalid_request", "the request body is too large");
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("a repeated parameter → invalid_request", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const response = await facade.call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id=${client_id}`,
    });
    await expectOAuthError(
      response,
      400,
      "invalid_request",
      '"refresh_token" must not be repeated',
    );
  });
});

/** Signs a registration in and redeems the code: Cognito's tokens as the client gets them. */
async function tokensOf(
  facade: ReturnType<typeof setup>,
  clientId: string,
  auth: { clientSecret?: string } = {},
) {
  const code = await relayedCode(facade, clientId);
  const form: Record<string, string> = {
    grant_type: "authorization_code",
    code,
    code_verifier: VERIFIER,
    redirect_uri: WEB_REDIRECT,
    client_id: clientId,
  };
  if (auth.clientSecret !== undefined) form.client_secret = auth.clientSecret;
  const response = await postToken(facade, form);
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

describe("POST /token: refresh and Cognito's failures", () => {
  it("a sealed refresh token is opened and relayed for the app client that issued it", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const first = await tokensOf(facade, client_id);
    const response = await postToken(facade, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
      client_id,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const issued = facade.cognito.issuedTokens[1];
    expect(await response.json()).toEqual({
      ...issued,
      refresh_token: expect.stringMatching(SEALED),
    });
    expect(facade.cognito.oauthCallsOf("token")[1]?.form).toEqual({
      grant_type: "refresh_token",
      refresh_token: facade.cognito.issuedTokens[0]?.refresh_token,
      client_id: theSharedAppClient(facade).ClientId,
    });
  });

  it("Cognito's own refresh token, unsealed, is refused: only the facade holds those", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    await tokensOf(facade, client_id);
    await expectOAuthError(
      await postToken(facade, {
        grant_type: "refresh_token",
        refresh_token: facade.cognito.issuedTokens[0]?.refresh_token ?? "",
        client_id,
      }),
      400,
      "invalid_grant",
    );
    expect(facade.cognito.oauthCallsOf("token")).toHaveLength(1);
  });

  it("a refresh token Cognito does not know → invalid_grant", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    await expectOAuthError(
      await postToken(facade, { grant_type: "refresh_token", refresh_token: "nope", client_id }),
      400,
      "invalid_grant",
    );
  });

  it("a registration with its own app client: its unsealed refresh tokens still work, new ones are sealed", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: [WEB_REDIRECT] },
      relayCallbackUrl: CALLBACK,
    });
    const old = facade.cognito.issueRefreshToken(legacy.clientId);
    const response = await postToken(facade, {
      grant_type: "refresh_token",
      refresh_token: old,
      client_id: legacy.clientId,
    });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as { refresh_token: string };
    expect(refreshed.refresh_token).toMatch(SEALED);
    expect(facade.cognito.oauthCallsOf("token")[0]?.form).toEqual({
      grant_type: "refresh_token",
      refresh_token: old,
      client_id: legacy.clientId,
    });
    const again = await postToken(facade, {
      grant_type: "refresh_token",
      refresh_token: refreshed.refresh_token,
      client_id: legacy.clientId,
    });
    expect(again.status).toBe(200);
    expect(facade.cognito.oauthCallsOf("token")[1]?.form.client_id).toBe(legacy.clientId);
  });

  it.each([
    ["a 500", { status: 500 }],
    ["a 503", { status: 503 }],
    ["a network error", "network"],
  ] as const)("Cognito answering %s → 503 with Retry-After, never a 500", async (_, failure) => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const first = await tokensOf(facade, client_id);
    facade.cognito.failOAuth("token", failure);
    const response = await postToken(facade, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
      client_id,
    });
    expect(response.headers.get("retry-after")).toBe("5");
    const body = await expectOAuthError(response, 503, "temporarily_unavailable");
    expect(JSON.stringify(body)).not.toContain("upstream");
    expect(facade.cognito.oauthCallsOf("token")).toHaveLength(2);
  });
});

describe("POST /revoke (RFC 7009) relayed to Cognito", () => {
  it("opens the sealed refresh token and relays Cognito's as the app client; 200 empty", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const { refresh_token } = await tokensOf(facade, client_id);
    const response = await facade.call("/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refresh_token, client_id }).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
    expect(facade.cognito.oauthCallsOf("revoke")).toEqual([
      {
        endpoint: "revoke",
        form: {
          token: facade.cognito.issuedTokens[0]?.refresh_token,
          client_id: theSharedAppClient(facade).ClientId,
        },
        authorization: "",
      },
    ]);
  });

  it("a confidential client: its secret checked, the app client's credentials relayed", async () => {
    const facade = setup();
    const { client_id, client_secret } = await registerClient(facade, {
      ...WEB_CLIENT,
      token_endpoint_auth_method: "client_secret_basic",
    });
    const code = await relayedCode(facade, client_id);
    const tokens = (await (
      await postToken(
        facade,
        {
          grant_type: "authorization_code",
          code,
          code_verifier: VERIFIER,
          redirect_uri: WEB_REDIRECT,
        },
        { authorization: basic(client_id, client_secret ?? "") },
      )
    ).json()) as { refresh_token: string };
    const revoke = (authorization: string) =>
      facade.call("/revoke", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization },
        body: new URLSearchParams({ token: tokens.refresh_token }).toString(),
      });
    await expectOAuthError(await revoke(basic(client_id, "wrong")), 401, "invalid_client");
    const response = await revoke(basic(client_id, client_secret ?? ""));
    expect(response.status).toBe(200);
    const app = theSharedAppClient(facade);
    expect(facade.cognito.oauthCallsOf("revoke")).toHaveLength(1);
    expect(facade.cognito.oauthCallsOf("revoke")[0]?.authorization).toBe(
      basic(app.ClientId, app.ClientSecret as string),
    );
  });

  it("a token that is not one of this client's refresh tokens: 200, nothing relayed (RFC 7009 §2.2)", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const other = await registerClient(facade, WEB_CLIENT);
    const { refresh_token, access_token } = await tokensOf(facade, other.client_id);
    for (const token of [refresh_token, access_token, "t"]) {
      const response = await facade.call("/revoke", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, client_id }).toString(),
      });
      expect(response.status).toBe(200);
    }
    expect(facade.cognito.oauthCallsOf("revoke")).toEqual([]);
  });

  it("a registration with its own app client: its token is relayed as it is", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, {
      metadata: { tokenEndpointAuthMethod: "client_secret_basic" },
      relayCallbackUrl: CALLBACK,
    });
    const response = await facade.call("/revoke", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic(legacy.clientId, legacy.clientSecret ?? ""),
      },
      body: "token=t",
    });
    expect(response.status).toBe(200);
    expect(facade.cognito.oauthCallsOf("revoke")).toEqual([
      {
        endpoint: "revoke",
        form: { token: "t" },
        authorization: basic(legacy.clientId, legacy.clientSecret ?? ""),
      },
    ]);
  });

  it("an unknown client → 401 invalid_client; a missing token → invalid_request", async () => {
    const facade = setup();
    const unknown = await facade.call("/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "token=t&client_id=nosuchclient0000000000000a",
    });
    expect(unknown.headers.get("www-authenticate")).toBe('Basic realm="token"');
    await expectOAuthError(unknown, 401, "invalid_client");
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const missing = await facade.call("/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `client_id=${client_id}`,
    });
    await expectOAuthError(missing, 400, "invalid_request", '"token" is required');
    expect(facade.cognito.oauthCalls).toEqual([]);
  });

  it("Cognito unreachable → 503 with Retry-After", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, WEB_CLIENT);
    const { refresh_token } = await tokensOf(facade, client_id);
    facade.cognito.failOAuth("revoke", "network");
    const response = await facade.call("/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refresh_token, client_id }).toString(),
    });
    expect(response.headers.get("retry-after")).toBe("5");
    await expectOAuthError(response, 503, "temporarily_unavailable");
  });
});

describe("a registration made before the front door is moved onto the relay on first use", () => {
  it("UpdateUserPoolClient with only the callback, once", async () => {
    const facade = setup();
    // The old registration: Cognito holds the client's own redirect URIs, the record no
    // relayCallbackUrl.
    const { clientId: client_id } = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: [WEB_REDIRECT], clientName: "Web App" },
    });
    const back = await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id,
      redirect_uri: WEB_REDIRECT,
    });
    expect(back.searchParams.get("code")).toBeTruthy();
    const updates = facade.cognito.callsOf("UpdateUserPoolClient");
    expect(updates).toHaveLength(1);
    expect(updates[0]?.input).toMatchObject({ ClientId: client_id, CallbackURLs: [CALLBACK] });
    expect(facade.cognito.clients.get(client_id)?.CallbackURLs).toEqual([CALLBACK]);
    const moved = await env.REGISTRATIONS.getWithMetadata<
      RegistrationRecord,
      { relayCallbackUrl?: string }
    >(clientKey(client_id), "json");
    expect(moved.value?.relayCallbackUrl).toBe(CALLBACK);
    expect(moved.metadata?.relayCallbackUrl).toBe(CALLBACK);

    await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id,
      redirect_uri: WEB_REDIRECT,
    });
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toHaveLength(1);
    // It keeps its own app client: no shared one is made for it.
    expect(sharedAppClients(facade)).toEqual([]);
  });
});
