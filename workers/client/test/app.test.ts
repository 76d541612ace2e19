import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { createSession, loadSession, saveSession } from "../src/session/session";
import { buildIdToken, createFakeFetch, type FakeFetch, json, notFound } from "./fake-fetch";

const ISSUER = env.COGNITO_ISSUER;
const COGNITO = new URL(ISSUER).origin;
const TOKEN = `${COGNITO}/oauth2/token`;
const ORIGIN = "http://localhost:3000";
const NOW = Date.now();
/** The MCP server and the facade (workers/dcr) the discovery flow finds from it. */
const MCP = env.MCP_SERVER_URL;
const PRM = new URL("/.well-known/oauth-protected-resource/mcp", MCP).href;
const FACADE = "http://localhost:3002";
const FACADE_TOKEN = `${FACADE}/token`;

let tokenResponses: Response[];
let facadeTokenResponses: Response[];
let net: FakeFetch;
/** The fake network's routes; a test may add one (read at call time). */
let routes: Parameters<typeof createFakeFetch>[0];

beforeEach(() => {
  tokenResponses = [];
  facadeTokenResponses = [];
  routes = {
    [`${COGNITO}/.well-known/oauth-authorization-server/us-east-1_LocalDev01`]: notFound,
    [`${COGNITO}/.well-known/openid-configuration/us-east-1_LocalDev01`]: notFound,
    [`${ISSUER}/.well-known/openid-configuration`]: () =>
      json({
        issuer: ISSUER,
        authorization_endpoint: `${COGNITO}/oauth2/authorize`,
        token_endpoint: TOKEN,
        response_types_supported: ["code"],
      }),
    [TOKEN]: () => tokenResponses.shift() ?? json({ error: "invalid_grant" }, { status: 400 }),
    [MCP]: () =>
      new Response(JSON.stringify({ error: "invalid_token" }), {
        status: 401,
        headers: {
          "www-authenticate": `Bearer resource_metadata="${PRM}", scope="mcp-api/read"`,
        },
      }),
    [new URL("/.well-known/oauth-protected-resource", MCP).href]: notFound,
    [PRM]: () =>
      json({
        resource: MCP,
        authorization_servers: [FACADE],
        scopes_supported: ["mcp-api/read", "mcp-api/write"],
      }),
    // The facade's metadata, as workers/dcr serves it (the front door, RFC 9207 iss).
    [`${FACADE}/.well-known/oauth-authorization-server`]: () =>
      json({
        issuer: FACADE,
        authorization_endpoint: `${FACADE}/authorize`,
        token_endpoint: FACADE_TOKEN,
        registration_endpoint: `${FACADE}/register`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      }),
    [`${FACADE}/register`]: () =>
      json(
        {
          client_id: "dcr-client-1",
          client_secret: "dcr-secret-1",
          client_secret_expires_at: 0,
          client_name: env.APP_NAME,
          redirect_uris: [env.STATIC_REDIRECT_URI],
          token_endpoint_auth_method: "client_secret_post",
        },
        { status: 201 },
      ),
    [FACADE_TOKEN]: () =>
      facadeTokenResponses.shift() ?? json({ error: "invalid_grant" }, { status: 400 }),
  };
  net = createFakeFetch(routes);
});

const app = () => createApp({ fetch: net.fetch, now: () => NOW });

async function request(path: string, init: RequestInit = {}, origin = ORIGIN) {
  return app().request(`${origin}${path}`, init, env);
}

/** Opens the start page: a session cookie and the page's CSRF token. */
async function openSession() {
  // A browser that has posted a form before: its session is stored (an anonymous visit's is not;
  // "an anonymous visit" below tests how one comes to be).
  const session = createSession();
  await saveSession(env.CLIENT_STATE, session);
  const cookie = `mcp_client_session=${session.id}`;
  const page = await (await request("/", { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
  expect(csrf).toBe(session.csrfToken);
  return { cookie, csrf, id: session.id };
}

async function post(path: string, cookie: string, fields: Record<string, string>) {
  return request(path, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

async function storedSession(id: string) {
  return (await loadSession(env.CLIENT_STATE, id)) ?? null;
}

async function startStaticLogin() {
  const s = await openSession();
  const response = await post("/login/static", s.cookie, { csrf: s.csrf });
  expect(response.status).toBe(303);
  return { ...s, authorize: new URL(response.headers.get("location") as string) };
}

function idToken(nonce: string) {
  const iat = Math.floor(Date.now() / 1000);
  return buildIdToken({
    iss: ISSUER,
    aud: env.STATIC_CLIENT_ID,
    sub: "user-1",
    "cognito:username": "demo",
    nonce,
    iat,
    exp: iat + 3600,
  });
}

describe("an anonymous visit writes nothing to KV", () => {
  it("GET / stores no session and sets only the CSRF cookie; the first checked form stores one", async () => {
    const before = (await env.CLIENT_STATE.list({ prefix: "session:" })).keys.length;
    const response = await request("/");
    expect(response.status).toBe(200);
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(
      /^mcp_client_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect((await env.CLIENT_STATE.list({ prefix: "session:" })).keys.length).toBe(before);
    const csrfCookie = setCookie.split(";")[0] as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await response.text())?.[1] as string;
    expect(csrfCookie).toBe(`mcp_client_csrf=${csrf}`);

    // Reloading keeps the same token and still stores nothing.
    const again = await request("/", { headers: { cookie: csrfCookie } });
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain(`name="csrf" value="${csrf}"`);
    expect((await env.CLIENT_STATE.list({ prefix: "session:" })).keys.length).toBe(before);

    // A form posted from another site carries neither the cookie nor the token: refused, nothing stored.
    const forged = await post("/login/static", "", { csrf });
    expect(forged.status).toBe(403);
    expect((await env.CLIENT_STATE.list({ prefix: "session:" })).keys.length).toBe(before);

    const signIn = await post("/login/static", csrfCookie, { csrf });
    expect(signIn.status).toBe(303);
    const cookies = signIn.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("mcp_client_session="));
    expect(session).toMatch(
      /^mcp_client_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(cookies.some((c) => /^mcp_client_csrf=; Max-Age=0/.test(c))).toBe(true);
    const id = (session as string).split(";")[0]?.split("=")[1] as string;
    expect((await storedSession(id))?.pending?.flow).toBe("static");
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, path /, without Secure on http", async () => {
    const anonymous = await request("/");
    const csrfCookie = (anonymous.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const csrf = csrfCookie.split("=")[1] as string;
    const response = await post("/login/static", csrfCookie, { csrf });
    expect(response.status).toBe(303);
    const cookie =
      response.headers.getSetCookie().find((c) => c.startsWith("mcp_client_session=")) ?? "";
    expect(cookie).toMatch(
      /^mcp_client_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(anonymous.headers.get("content-security-policy")).toBe(
      `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${COGNITO} ${FACADE}; frame-ancestors 'none'; base-uri 'none'`,
    );
  });

  it("is __Host- and Secure on https, as is the anonymous CSRF cookie", async () => {
    const response = await request("/", {}, "https://client.example");
    expect(response.headers.get("set-cookie")).toMatch(
      /^__Host-mcp_client_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const csrfCookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const signIn = await request(
      "/login/static",
      {
        method: "POST",
        headers: { cookie: csrfCookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf: csrfCookie.split("=")[1] as string }).toString(),
      },
      "https://client.example",
    );
    expect(
      signIn.headers.getSetCookie().find((c) => c.startsWith("__Host-mcp_client_session=")),
    ).toMatch(
      /^__Host-mcp_client_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});

describe("CSRF protection on state-changing forms", () => {
  it("refuses a form without the session's token", async () => {
    const s = await openSession();
    const calls = net.calls.length;
    const response = await post("/login/static", s.cookie, { csrf: "wrong" });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("CSRF check failed");
    expect(net.calls).toHaveLength(calls);
  });

  it("refuses a form from a browser without a session", async () => {
    const response = await post("/logout", "", { csrf: "anything" });
    expect(response.status).toBe(403);
  });
});

describe("static flow authorization request", () => {
  it("redirects with PKCE S256, state, nonce and resource; keeps the verifier server-side", async () => {
    const { authorize, id } = await startStaticLogin();
    expect(authorize.origin + authorize.pathname).toBe(`${COGNITO}/oauth2/authorize`);
    const stored = await storedSession(id);
    const pending = stored?.pending;
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: env.STATIC_CLIENT_ID,
      redirect_uri: env.STATIC_REDIRECT_URI,
      scope: env.STATIC_SCOPES,
      state: pending?.state,
      nonce: pending?.nonce,
      code_challenge_method: "S256",
      resource: env.MCP_SERVER_URL,
    });
    expect(authorize.href).not.toContain(pending?.codeVerifier);
  });
});

describe("RFC 6749 §10.12 callback checks", () => {
  it("refuses a callback without a session", async () => {
    const response = await request("/callback?code=c&state=s");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("no sign-in in progress");
  });

  it("refuses a tampered state, and the pending sign-in is used up", async () => {
    const { cookie, authorize } = await startStaticLogin();
    const tampered = await request("/callback?code=c&state=tampered", { headers: { cookie } });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain("did not check out");
    expect(net.callsTo(TOKEN)).toHaveLength(0);
    const state = authorize.searchParams.get("state") as string;
    const again = await request(`/callback?code=c&state=${state}`, { headers: { cookie } });
    expect(again.status).toBe(400);
  });

  it("shows an error page for a replayed (refused) code", async () => {
    const { cookie, authorize } = await startStaticLogin();
    const state = authorize.searchParams.get("state") as string;
    const response = await request(`/callback?code=used&state=${state}`, { headers: { cookie } });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("refused the code (&quot;invalid_grant&quot;)");
  });

  it("signs in, shows who, and never puts a token in the page", async () => {
    const { cookie, authorize, id } = await startStaticLogin();
    const state = authorize.searchParams.get("state") as string;
    const nonce = authorize.searchParams.get("nonce") as string;
    tokenResponses.push(
      json({
        access_token: "ACCESS-TOKEN-VALUE",
        refresh_token: "REFRESH-TOKEN-VALUE",
        id_token: idToken(nonce),
        token_type: "Bearer",
        expires_in: 3600,
      }),
    );
    const callback = await request(`/callback?code=c1&state=${state}`, { headers: { cookie } });
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/");
    const tokenBody = new URLSearchParams(
      new TextDecoder().decode(await net.callsTo(TOKEN)[0]?.arrayBuffer()),
    );
    expect(tokenBody.get("resource")).toBe(env.MCP_SERVER_URL);
    // The session id is renewed at sign-in (session fixation).
    expect(await storedSession(id)).toBeNull();
    const renewed = (callback.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(renewed).toMatch(/^mcp_client_session=[A-Za-z0-9_-]{43}$/);
    expect(renewed).not.toBe(cookie);
    const stored = await storedSession(renewed.split("=")[1] as string);
    expect(stored?.pending).toBeUndefined();
    expect(stored?.signIns.static?.tokens.accessToken).toBe("ACCESS-TOKEN-VALUE");

    const home = await request("/", { headers: { cookie: renewed } });
    const html = await home.text();
    expect(html).toContain("Signed in as demo");
    expect(html).not.toContain("ACCESS-TOKEN-VALUE");
    expect(html).not.toContain("REFRESH-TOKEN-VALUE");
    expect(html).not.toContain("eyJ");
  });

  it("refuses an ID token with another nonce", async () => {
    const { cookie, authorize } = await startStaticLogin();
    const state = authorize.searchParams.get("state") as string;
    tokenResponses.push(
      json({ access_token: "a", token_type: "Bearer", expires_in: 60, id_token: idToken("x") }),
    );
    const response = await request(`/callback?code=c1&state=${state}`, { headers: { cookie } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("nonce");
  });
});

describe("CSP form-action: every origin a sign-in started from a form passes through", () => {
  // Production: the client, the facade and Cognito's managed-login domain are three origins,
  // and the managed login is not the issuer's host (cognito-idp.<region>.amazonaws.com).
  const MANAGED_LOGIN = "https://mcp-abc.auth.eu-west-1.amazoncognito.com";
  const PRODUCTION_FACADE = "https://dcr.example.com";

  beforeEach(() => {
    routes[`${ISSUER}/.well-known/openid-configuration`] = () =>
      json({
        issuer: ISSUER,
        authorization_endpoint: `${MANAGED_LOGIN}/oauth2/authorize`,
        token_endpoint: `${MANAGED_LOGIN}/oauth2/token`,
        response_types_supported: ["code"],
      });
    routes[PRM] = () => json({ resource: MCP, authorization_servers: [PRODUCTION_FACADE] });
    routes[`${PRODUCTION_FACADE}/.well-known/oauth-authorization-server`] = () =>
      json({
        issuer: PRODUCTION_FACADE,
        authorization_endpoint: `${PRODUCTION_FACADE}/authorize`,
        token_endpoint: `${PRODUCTION_FACADE}/token`,
        registration_endpoint: `${PRODUCTION_FACADE}/register`,
        code_challenge_methods_supported: ["S256"],
      });
    routes[`${PRODUCTION_FACADE}/register`] = () =>
      json({ client_id: "dcr-client-2", token_endpoint_auth_method: "none" }, { status: 201 });
  });

  it("lists the facade and the managed login (from metadata), not the issuer's host", async () => {
    const response = await request("/");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`; form-action 'self' ${MANAGED_LOGIN} ${PRODUCTION_FACADE};`);
    expect(csp).not.toContain(COGNITO);
    // Learned once per isolate: a second page asks no server again.
    const app = createApp({ fetch: net.fetch, now: () => NOW });
    await app.request(`${ORIGIN}/`, {}, env);
    const calls = net.calls.length;
    const again = await app.request(`${ORIGIN}/`, {}, env);
    expect(again.headers.get("content-security-policy")).toBe(csp);
    expect(net.calls).toHaveLength(calls);
  });

  it("the sign-in redirects lead to those origins, and sign-out to the managed login's /logout", async () => {
    const s = await openSession();
    const discovery = await post("/login/discovery", s.cookie, { csrf: s.csrf });
    expect(discovery.status).toBe(303);
    expect(new URL(discovery.headers.get("location") as string).origin).toBe(PRODUCTION_FACADE);
    const signIn = await post("/login/static", s.cookie, { csrf: s.csrf });
    expect(new URL(signIn.headers.get("location") as string).origin).toBe(MANAGED_LOGIN);
    const logout = await post("/logout", s.cookie, { csrf: s.csrf });
    const location = new URL(logout.headers.get("location") as string);
    expect(location.origin + location.pathname).toBe(`${MANAGED_LOGIN}/logout`);
  });

  it("a facade that cannot be reached is left out, and asked for again on the next page", async () => {
    routes[PRM] = () => new Response("unavailable", { status: 503 });
    const app = createApp({ fetch: net.fetch, now: () => NOW });
    const first = await app.request(`${ORIGIN}/`, {}, env);
    expect(first.headers.get("content-security-policy")).toContain(
      `; form-action 'self' ${MANAGED_LOGIN};`,
    );
    routes[PRM] = () => json({ resource: MCP, authorization_servers: [PRODUCTION_FACADE] });
    const second = await app.request(`${ORIGIN}/`, {}, env);
    expect(second.headers.get("content-security-policy")).toContain(
      `; form-action 'self' ${MANAGED_LOGIN} ${PRODUCTION_FACADE};`,
    );
  });

  it("a page without a form lets forms lead nowhere else", async () => {
    const response = await post("/logout", "", { csrf: "anything" });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-security-policy")).toContain("; form-action 'self';");
  });
});

/** Starts a discovery-flow sign-in: 401 → PRM → the facade's metadata → DCR → its /authorize. */
async function startDiscoveryLogin() {
  const s = await openSession();
  const response = await post("/login/discovery", s.cookie, { csrf: s.csrf });
  expect(response.status).toBe(303);
  const authorize = new URL(response.headers.get("location") as string);
  expect(authorize.origin + authorize.pathname).toBe(`${FACADE}/authorize`);
  return { ...s, authorize, state: authorize.searchParams.get("state") as string };
}

describe("RFC 9207 iss on the discovery flow's callback (the facade advertises it)", () => {
  it("checks iss, exchanges the code at the facade, and the trace says iss was checked", async () => {
    const { cookie, state } = await startDiscoveryLogin();
    facadeTokenResponses.push(
      json({
        access_token: "FACADE-ACCESS",
        token_type: "Bearer",
        expires_in: 3600,
        scope: "mcp-api/read",
      }),
    );
    const callback = await request(
      `/callback?${new URLSearchParams({ code: "sealed-code", state, iss: FACADE })}`,
      { headers: { cookie } },
    );
    expect(callback.status).toBe(303);
    expect(net.callsTo(FACADE_TOKEN)).toHaveLength(1);
    expect(net.callsTo(TOKEN)).toHaveLength(0);
    const renewed = (callback.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const home = await (await request("/", { headers: { cookie: renewed } })).text();
    expect(home).toContain(`<strong>iss checked</strong>: <code>${FACADE}</code>`);
    expect(home).toMatch(
      /<dt>authorization_response_iss_parameter_supported<\/dt><dd><code>true<\/code><\/dd>/,
    );
    expect(home).toContain(`<strong>token request</strong>: <code>${FACADE_TOKEN}</code> → 200`);
    expect(home).not.toContain("FACADE-ACCESS");
  });

  it("refuses another server's iss, even on an error response, and does not show it as the server's answer", async () => {
    const { cookie, state } = await startDiscoveryLogin();
    const response = await request(
      `/callback?${new URLSearchParams({ error: "access_denied", state, iss: "http://localhost:9999" })}`,
      { headers: { cookie } },
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("The response did not check out");
    expect(html).toContain("unexpected &quot;iss&quot; (issuer) response parameter value");
    expect(html).not.toContain("You denied access");
    expect(html).not.toContain("answered");
    expect(net.callsTo(FACADE_TOKEN)).toHaveLength(0);
  });

  it("refuses a response without iss, which the facade advertises it always sends", async () => {
    const { cookie, state } = await startDiscoveryLogin();
    const response = await request(`/callback?${new URLSearchParams({ code: "c", state })}`, {
      headers: { cookie },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("response parameter &quot;iss&quot; (issuer) missing");
    expect(net.callsTo(FACADE_TOKEN)).toHaveLength(0);
  });
});

describe("RFC 6749 §4.1.2.1 access_denied: the person denied consent", () => {
  it("ends on a page that says so (not a 500, not 'Discovery failed')", async () => {
    const { cookie, state } = await startDiscoveryLogin();
    const response = await request(
      `/callback?${new URLSearchParams({ error: "access_denied", error_description: "the person denied the request", state, iss: FACADE })}`,
      { headers: { cookie } },
    );
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain("<h1>You denied access</h1>");
    expect(html).toContain(
      `You denied access, so ${env.APP_NAME} did not sign you in (discovery flow) and received nothing.`,
    );
    expect(html).not.toContain("Discovery failed");
    expect(html).not.toContain("Something went wrong");
    expect(net.callsTo(FACADE_TOKEN)).toHaveLength(0);
    // Not signed in; the start page offers the sign-in again.
    const home = await (await request("/", { headers: { cookie } })).text();
    expect(home).toContain("Sign in (discovery flow)");
  });
});

describe("logout", () => {
  it("deletes the session, clears the cookie and goes to Cognito's /logout", async () => {
    const s = await openSession();
    const response = await post("/logout", s.cookie, { csrf: s.csrf });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") as string);
    expect(location.origin + location.pathname).toBe(`${COGNITO}/logout`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: env.STATIC_CLIENT_ID,
      logout_uri: `${ORIGIN}/`,
    });
    expect(response.headers.get("set-cookie")).toMatch(/^mcp_client_session=; Max-Age=0; Path=\//);
    expect(await storedSession(s.id)).toBeNull();
  });
});

describe("Client ID Metadata Document (served for authorization servers that support CIMD)", () => {
  it("is served on https with client_id equal to its own URL", async () => {
    const https = "https://client.example.com";
    const response = await app().request(
      `${https}/oauth/client-metadata.json`,
      {},
      {
        ...env,
        STATIC_REDIRECT_URI: `${https}/callback`,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(await response.json()).toEqual({
      client_id: `${https}/oauth/client-metadata.json`,
      client_name: env.APP_NAME,
      client_uri: `${https}/`,
      redirect_uris: [`${https}/callback`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    });
  });

  it("is not served on plain http (a CIMD client_id must be an https URL)", async () => {
    const response = await request("/oauth/client-metadata.json");
    expect(response.status).toBe(404);
  });
});

describe("tokens in use: refresh before expiry, step-up that replays the action", () => {
  const REST = new URL("/v1/contexts", env.MCP_SERVER_URL).href;
  let restAnswers: Response[];
  let restAuthorizations: string[];

  beforeEach(() => {
    restAnswers = [];
    restAuthorizations = [];
    routes[REST] = (request) => {
      restAuthorizations.push(request.headers.get("authorization") ?? "");
      return restAnswers.shift() ?? json({ contexts: [] });
    };
  });

  /** Signs in with the static flow; the access token expires in `expiresIn` seconds. */
  async function signedIn(expiresIn: number) {
    const { cookie, authorize, csrf } = await startStaticLogin();
    tokenResponses.push(
      json({
        access_token: "FIRST-ACCESS",
        refresh_token: "FIRST-REFRESH",
        id_token: idToken(authorize.searchParams.get("nonce") as string),
        token_type: "Bearer",
        expires_in: expiresIn,
      }),
    );
    const state = authorize.searchParams.get("state") as string;
    const callback = await request(`/callback?code=c1&state=${state}`, { headers: { cookie } });
    const renewed = (callback.headers.get("set-cookie") ?? "").split(";")[0] as string;
    return { cookie: renewed, csrf, id: renewed.split("=")[1] as string };
  }

  const tokenRequests = async () =>
    Promise.all(
      net.callsTo(TOKEN).map(async (call) => new URLSearchParams(await call.clone().text())),
    );

  it("refreshes a token about to expire before the call, and uses the new one", async () => {
    const s = await signedIn(30);
    tokenResponses.push(
      json({ access_token: "SECOND-ACCESS", token_type: "Bearer", expires_in: 3600 }),
    );
    const response = await post("/mcp/static/rest_contexts", s.cookie, { csrf: s.csrf });
    expect(response.status).toBe(200);
    const refresh = (await tokenRequests())[1];
    expect(refresh?.get("grant_type")).toBe("refresh_token");
    expect(refresh?.get("refresh_token")).toBe("FIRST-REFRESH");
    expect(refresh?.get("resource")).toBe(env.MCP_SERVER_URL);
    expect(restAuthorizations).toEqual(["Bearer SECOND-ACCESS"]);
    const stored = await storedSession(s.id);
    expect(stored?.signIns.static?.tokens).toMatchObject({
      accessToken: "SECOND-ACCESS",
      refreshToken: "FIRST-REFRESH",
    });
  });

  it("on 403 insufficient_scope signs in again for the union of scopes, then runs the action once", async () => {
    const s = await signedIn(3600);
    restAnswers.push(
      new Response(JSON.stringify({ error: "insufficient_scope" }), {
        status: 403,
        headers: {
          "www-authenticate":
            'Bearer error="insufficient_scope", scope="mcp-api/read mcp-api/admin", resource_metadata="http://localhost:3001/.well-known/oauth-protected-resource/mcp"',
        },
      }),
    );
    const refused = await post("/mcp/static/rest_contexts", s.cookie, { csrf: s.csrf });
    expect(refused.status).toBe(303);
    const authorize = new URL(refused.headers.get("location") as string);
    expect(authorize.searchParams.get("scope")?.split(" ")).toEqual([
      ...env.STATIC_SCOPES.split(" "),
      "mcp-api/admin",
    ]);
    tokenResponses.push(
      json({
        access_token: "STEPPED-UP-ACCESS",
        id_token: idToken(authorize.searchParams.get("nonce") as string),
        token_type: "Bearer",
        expires_in: 3600,
      }),
    );
    restAnswers.push(json({ contexts: [{ id: "c-1", title: "Replayed" }] }));
    const state = authorize.searchParams.get("state") as string;
    const callback = await request(`/callback?code=c2&state=${state}`, {
      headers: { cookie: s.cookie },
    });
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/");
    // The action ran again, once, with the new token, without a second form submission.
    expect(restAuthorizations).toEqual(["Bearer FIRST-ACCESS", "Bearer STEPPED-UP-ACCESS"]);
    const cookie = (callback.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const home = await (await request("/", { headers: { cookie } })).text();
    expect(home).toContain("Result of rest_contexts (static)");
    expect(home).toContain("Replayed");
    // Shown once.
    const again = await (await request("/", { headers: { cookie } })).text();
    expect(again).not.toContain("Result of rest_contexts");
    expect(restAuthorizations).toHaveLength(2);
  });
});

describe("MCP step-up retry cap", () => {
  it("stops after the server refuses again with nothing new to ask for, on an error page (403)", async () => {
    const REST = new URL("/v1/contexts", env.MCP_SERVER_URL).href;
    const challenge = {
      status: 403,
      headers: {
        "www-authenticate": 'Bearer error="insufficient_scope", scope="mcp-api/read"',
      },
    };
    routes[REST] = () => new Response("{}", challenge);
    const { cookie, authorize, csrf } = await startStaticLogin();
    tokenResponses.push(
      json({
        access_token: "A",
        id_token: idToken(authorize.searchParams.get("nonce") as string),
        token_type: "Bearer",
        expires_in: 3600,
      }),
    );
    const state = authorize.searchParams.get("state") as string;
    const callback = await request(`/callback?code=c1&state=${state}`, { headers: { cookie } });
    const signedIn = (callback.headers.get("set-cookie") ?? "").split(";")[0] as string;
    // First refusal: one step-up (the union adds nothing new, but a first attempt is allowed).
    const first = await post("/mcp/static/rest_contexts", signedIn, { csrf });
    expect(first.status).toBe(303);
    const again = new URL(first.headers.get("location") as string);
    tokenResponses.push(
      json({
        access_token: "B",
        id_token: idToken(again.searchParams.get("nonce") as string),
        token_type: "Bearer",
        expires_in: 3600,
      }),
    );
    // The replay is refused the same way: the client gives up instead of looping.
    const stepped = await request(
      `/callback?code=c2&state=${again.searchParams.get("state") as string}`,
      { headers: { cookie: signedIn } },
    );
    expect(stepped.status).toBe(403);
    expect(await stepped.text()).toContain("More access was not granted");
  });
});
