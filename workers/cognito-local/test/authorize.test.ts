import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  browserGet,
  browserPost,
  CookieJar,
  createClient,
  createPublicClient,
  DEMO,
  LOGIN_ORIGIN,
  pkce,
  readLoginForm,
  STATIC_CLIENT,
  STATIC_REDIRECT,
  signIn,
} from "./support";

async function authorize(params: Record<string, string>, jar = new CookieJar()) {
  return browserGet(`${LOGIN_ORIGIN}/oauth2/authorize?${new URLSearchParams(params)}`, jar);
}

async function validParams(overrides: Record<string, string> = {}) {
  const { challenge } = await pkce();
  return {
    response_type: "code",
    client_id: STATIC_CLIENT.id,
    redirect_uri: STATIC_REDIRECT,
    state: "xyz",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...overrides,
  };
}

function redirectError(res: Response) {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") ?? "");
  expect(location.origin + location.pathname).toBe(STATIC_REDIRECT);
  return Object.fromEntries(location.searchParams);
}

describe("authorize: unknown client or redirect URI shows an error page, never redirects", () => {
  it.each([
    ["missing client_id", { client_id: "" }],
    ["unknown client_id", { client_id: "nosuchclient0000000000000a" }],
    ["missing redirect_uri", { redirect_uri: "" }],
    ["unregistered redirect_uri", { redirect_uri: "http://localhost:3000/other" }],
    ["redirect_uri differing only by a trailing slash", { redirect_uri: `${STATIC_REDIRECT}/` }],
    ["redirect_uri with an extra query", { redirect_uri: `${STATIC_REDIRECT}?x=1` }],
  ])("%s", async (_, overrides) => {
    const params = await validParams(overrides);
    const res = await authorize(
      Object.fromEntries(Object.entries(params).filter(([, v]) => v !== "")),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).toContain("An error was encountered with the requested page.");
  });
});

describe("authorize: other errors redirect to the client with error and state (RFC 6749 §4.1.2.1)", () => {
  it.each([
    ["missing response_type", { response_type: "" }, "invalid_request"],
    ["unknown response_type", { response_type: "id_token" }, "unsupported_response_type"],
    ["implicit flow not allowed to the client", { response_type: "token" }, "unauthorized_client"],
    ["PKCE method plain", { code_challenge_method: "plain" }, "invalid_request"],
    ["PKCE challenge without method", { code_challenge_method: "" }, "invalid_request"],
    ["PKCE method without challenge", { code_challenge: "" }, "invalid_request"],
    ["malformed PKCE challenge", { code_challenge: "short" }, "invalid_request"],
    ["scope outside the client's scopes", { scope: "openid phone" }, "invalid_scope"],
    ["unknown scope", { scope: "mcp-api/admin" }, "invalid_scope"],
    ["resource with a fragment", { resource: "https://mcp.example.com/mcp#x" }, "invalid_request"],
    ["relative resource", { resource: "/mcp" }, "invalid_request"],
    [
      "http resource that is not localhost",
      { resource: "http://mcp.example.com/mcp" },
      "invalid_request",
    ],
  ])("%s → %s", async (_, overrides, error) => {
    const params = await validParams(overrides);
    const res = await authorize(
      Object.fromEntries(Object.entries(params).filter(([, v]) => v !== "")),
    );
    const query = redirectError(res);
    expect(query.error).toBe(error);
    expect(query.state).toBe("xyz");
    expect(query.code).toBeUndefined();
  });

  it("refuses a repeated parameter", async () => {
    const params = new URLSearchParams(await validParams());
    params.append("scope", "openid");
    params.append("scope", "email");
    const res = await browserGet(`${LOGIN_ORIGIN}/oauth2/authorize?${params}`, new CookieJar());
    expect(redirectError(res).error).toBe("invalid_request");
  });

  it("refuses a client that is not allowed OAuth flows", async () => {
    const client = await createClient({ CallbackURLs: ["https://app.example.com/cb"] });
    const res = await authorize(
      await validParams({ client_id: client.ClientId, redirect_uri: "https://app.example.com/cb" }),
    );
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("error")).toBe(
      "unauthorized_client",
    );
  });

  it("answers prompt=none without a session with login_required", async () => {
    const query = redirectError(await authorize(await validParams({ prompt: "none" })));
    expect(query.error).toBe("login_required");
  });
});

describe("managed login: the sign-in page and its form", () => {
  it("redirects authorize to /login with the same query, then serves a form with a CSRF token", async () => {
    const jar = new CookieJar();
    const params = await validParams();
    const res = await authorize(params, jar);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "", LOGIN_ORIGIN);
    expect(location.pathname).toBe("/login");
    expect(Object.fromEntries(location.searchParams)).toEqual(params);

    const page = await browserGet(location.toString(), jar);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith("XSRF-TOKEN="));
    expect(csrfCookie).toMatch(/HttpOnly/i);
    expect(csrfCookie).toMatch(/Secure/i);
    expect(csrfCookie).toMatch(/SameSite=Lax/i);
    const html = await page.text();
    expect(html).toContain('name="username"');
    expect(html).toContain('name="password"');
    expect(readLoginForm(html).action).toBe(`/login?${location.searchParams}`);
  });

  it("rejects a post without the CSRF token of the page", async () => {
    const jar = new CookieJar();
    const params = await validParams();
    await browserGet(`${LOGIN_ORIGIN}/login?${new URLSearchParams(params)}`, jar);
    const res = await browserPost(`${LOGIN_ORIGIN}/login?${new URLSearchParams(params)}`, jar, {
      _csrf: "forged",
      username: DEMO.username,
      password: DEMO.password,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("location")).toBeNull();
  });

  it("says 'Incorrect username or password.' for a wrong password or an unknown user", async () => {
    for (const [username, password] of [
      [DEMO.username, "wrong-Passw0rd!"],
      ["nobody", DEMO.password],
    ] as const) {
      const jar = new CookieJar();
      const params = new URLSearchParams(await validParams());
      const form = readLoginForm(
        await (await browserGet(`${LOGIN_ORIGIN}/login?${params}`, jar)).text(),
      );
      const res = await browserPost(new URL(form.action, LOGIN_ORIGIN).toString(), jar, {
        _csrf: form.csrf,
        username,
        password,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("Incorrect username or password.");
    }
  });

  it("signs in, sets an HttpOnly Secure SameSite session cookie and redirects with code and state", async () => {
    const { code, jar } = await signIn();
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    expect(jar.cookies.has("cognito")).toBe(true);
  });

  it("skips the form while the session lasts, and asks again with prompt=login", async () => {
    const { jar } = await signIn();
    const again = await authorize(await validParams(), jar);
    expect(new URL(again.headers.get("location") ?? "").searchParams.get("code")).toBeTruthy();
    const forced = await authorize(await validParams({ prompt: "login" }), jar);
    expect(new URL(forced.headers.get("location") ?? "", LOGIN_ORIGIN).pathname).toBe("/login");
  });

  it("asks a user with a temporary password for a new one, checked against the pool's policy", async () => {
    const { idp, POOL_ID } = await import("./support");
    const username = `temp-${crypto.randomUUID().slice(0, 8)}`;
    const created = await idp("AdminCreateUser", {
      UserPoolId: POOL_ID,
      Username: username,
      TemporaryPassword: "Temp-Passw0rd!",
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
    });
    expect(created.status).toBe(200);
    const jar = new CookieJar();
    const params = new URLSearchParams(await validParams());
    let form = readLoginForm(
      await (await browserGet(`${LOGIN_ORIGIN}/login?${params}`, jar)).text(),
    );
    let res = await browserPost(new URL(form.action, LOGIN_ORIGIN).toString(), jar, {
      _csrf: form.csrf,
      username,
      password: "Temp-Passw0rd!",
    });
    let html = await res.text();
    expect(html).toContain("Change password");
    const challenge = () => /name="challenge" value="([^"]+)"/.exec(html)?.[1] ?? "";
    form = readLoginForm(html);
    res = await browserPost(new URL(form.action, LOGIN_ORIGIN).toString(), jar, {
      _csrf: form.csrf,
      challenge: challenge(),
      new_password: "short",
      confirm_password: "short",
    });
    html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain("Password did not conform with policy: Password not long enough");
    form = readLoginForm(html);
    res = await browserPost(new URL(form.action, LOGIN_ORIGIN).toString(), jar, {
      _csrf: form.csrf,
      challenge: challenge(),
      new_password: "Perm-Passw0rd!",
      confirm_password: "Perm-Passw0rd!",
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("code")).toBeTruthy();
    // The new password is the one that works from now on.
    await expect(signIn({ username, password: "Perm-Passw0rd!" })).resolves.toHaveProperty("code");
  });

  it("works for a public client registered through the IdP API, with a loopback redirect", async () => {
    const client = await createPublicClient();
    const { code } = await signIn({
      clientId: client.ClientId,
      redirectUri: "http://127.0.0.1:7777/cb",
    });
    expect(code).toBeTruthy();
  });
});

describe("logout", () => {
  it("ends the session and redirects to a registered logout_uri", async () => {
    const { jar } = await signIn();
    const res = await browserGet(
      `${LOGIN_ORIGIN}/logout?${new URLSearchParams({ client_id: STATIC_CLIENT.id, logout_uri: "http://localhost:3000/" })}`,
      jar,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://localhost:3000/");
    expect(jar.cookies.has("cognito")).toBe(false);
    const again = await authorize(await validParams(), jar);
    expect(new URL(again.headers.get("location") ?? "", LOGIN_ORIGIN).pathname).toBe("/login");
  });

  it("refuses an unregistered logout_uri or an unknown client with an error page", async () => {
    const cases: Record<string, string>[] = [
      { client_id: STATIC_CLIENT.id, logout_uri: "https://evil.example/" },
      { client_id: "nosuchclient0000000000000a", logout_uri: "http://localhost:3000/" },
      { logout_uri: "http://localhost:3000/" },
    ];
    for (const params of cases) {
      const res = await SELF.fetch(`${LOGIN_ORIGIN}/logout?${new URLSearchParams(params)}`, {
        redirect: "manual",
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("with redirect_uri and response_type, signs out and back in", async () => {
    const { jar } = await signIn();
    const params = await validParams();
    const res = await browserGet(`${LOGIN_ORIGIN}/logout?${new URLSearchParams(params)}`, jar);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "", LOGIN_ORIGIN).pathname).toBe("/login");
    expect(jar.cookies.has("cognito")).toBe(false);
  });
});
