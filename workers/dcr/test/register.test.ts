import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/registration/secrets";
import { clientKey } from "../src/storage/keys";
import type { RegistrationRecord } from "../src/storage/records";
import { expectOAuthError, INSPECTOR, ISSUER, NOW, setup } from "./support";

type Body = Record<string, unknown>;

describe("RFC 7591 §3.2.1 successful registration", () => {
  it("registers the Inspector with a client id the facade mints, and no Cognito call", async () => {
    const { register, cognito } = setup();
    const response = await register(INSPECTOR);
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Body;
    const clientId = body.client_id as string;
    expect(clientId).toMatch(/^dcr_[a-z2-7]{26}$/);
    expect(body).toEqual({
      client_id: clientId,
      client_id_issued_at: NOW / 1000,
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_client_uri: `${ISSUER}/register/${clientId}`,
      redirect_uris: ["http://localhost:6274/oauth/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope: "openid mcp-api/read mcp-api/write",
      client_name: "Inspector",
    });
    // The shared app client of its group is made on the first sign-in, not here.
    expect(cognito.calls).toEqual([]);
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(clientKey(clientId), "json");
    expect(stored).toMatchObject({ clientId, sharedAppClient: true, tokenIssuedAt: 0 });
    expect(stored?.registrationAccessTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toHaveProperty("clientSecretHash");
    expect(JSON.stringify(stored)).not.toContain(body.registration_access_token as string);
  });

  it("mints a new client id for every registration, even of the same metadata", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "0" } });
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++)
      ids.add(((await (await register(INSPECTOR)).json()) as Body).client_id as string);
    expect(ids.size).toBe(5);
  });

  it("returns a confidential client's secret once and stores only its SHA-256", async () => {
    const { register, cognito } = setup();
    const response = await register({
      redirect_uris: ["https://app.example.com/cb"],
      token_endpoint_auth_method: "client_secret_post",
      scope: "openid email mcp-api/write",
      client_uri: "https://app.example.com",
      logo_uri: "https://app.example.com/logo.png",
      policy_uri: "https://app.example.com/policy",
      tos_uri: "https://app.example.com/tos",
      contacts: ["ops@example.com"],
      software_id: "4NRB1-0XZABZI9E6-5SM3R",
      software_version: "2.1",
      application_type: "web",
      unknown_field: "ignored",
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Body;
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.client_secret_expires_at).toBe(0);
    expect(body.token_endpoint_auth_method).toBe("client_secret_post");
    expect(body.scope).toBe("openid email mcp-api/write mcp-api/read");
    expect(body).not.toHaveProperty("unknown_field");
    expect(body).toMatchObject({
      software_id: "4NRB1-0XZABZI9E6-5SM3R",
      contacts: ["ops@example.com"],
    });
    expect(cognito.calls).toEqual([]);
    const stored = await env.REGISTRATIONS.get<RegistrationRecord>(
      clientKey(body.client_id as string),
      "json",
    );
    expect(JSON.stringify(stored)).not.toContain(body.client_secret as string);
    expect(stored?.clientSecretHash).toBe(await sha256Hex(body.client_secret as string));
  });

  it("keeps client_name as given for display (Cognito never sees it)", async () => {
    const { register } = setup();
    const name = 'Claude\'s "Desktop" / 日本語: app';
    const body = (await (await register({ ...INSPECTOR, client_name: name })).json()) as Body;
    expect(body.client_name).toBe(name);
  });

  it("accepts loopback IPs and private-use schemes for native apps", async () => {
    const { register } = setup();
    const response = await register({
      ...INSPECTOR,
      application_type: "native",
      redirect_uris: [
        "http://127.0.0.1:33418/cb",
        "http://[::1]:8080/cb",
        "com.example.app:/cb",
        "cursor://anysphere.cursor-retrieval/oauth",
      ],
    });
    expect(response.status).toBe(201);
  });

  it("registers a client_credentials client when policy allows it", async () => {
    const { register } = setup({ vars: { ALLOW_CLIENT_CREDENTIALS: "true" } });
    const response = await register({
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "mcp-api/read",
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Body;
    expect(body).toMatchObject({
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      scope: "mcp-api/read",
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });
});

describe("step-up scopes (STEP_UP_SCOPES) in the registered scope", () => {
  it("adds them to what the client asked for, so a later 403 insufficient_scope can be met", async () => {
    const { register } = setup();
    const body = (await (await register({ ...INSPECTOR, scope: "mcp-api/read" })).json()) as Body;
    expect(body.scope).toBe("mcp-api/read mcp-api/write");
  });

  it("registers exactly the requested scopes when STEP_UP_SCOPES is empty", async () => {
    const { register } = setup({ vars: { STEP_UP_SCOPES: "" } });
    const body = (await (await register({ ...INSPECTOR, scope: "mcp-api/read" })).json()) as Body;
    expect(body.scope).toBe("mcp-api/read");
  });
});

const long = (n: number) => `https://app.example.com/${"a".repeat(n)}`;

/** [name, metadata, error code, description]: every rule, rejecting. */
const REJECTED: [string, Body, string, string | RegExp][] = [
  [
    "redirect_uris missing",
    { client_name: "x" },
    "invalid_redirect_uri",
    '"redirect_uris" must be a non-empty array of strings',
  ],
  [
    "redirect_uris empty",
    { redirect_uris: [] },
    "invalid_redirect_uri",
    '"redirect_uris" must be a non-empty array of strings',
  ],
  [
    "redirect_uris not strings",
    { redirect_uris: [1] },
    "invalid_redirect_uri",
    '"redirect_uris" must be a non-empty array of strings',
  ],
  [
    "redirect_uris a string",
    { redirect_uris: "https://a.example/cb" },
    "invalid_redirect_uri",
    '"redirect_uris" must be a non-empty array of strings',
  ],
  [
    "plain http",
    { redirect_uris: ["http://app.example.com/cb"] },
    "invalid_redirect_uri",
    /http is allowed only for localhost/,
  ],
  [
    "http on a non-loopback IP",
    { redirect_uris: ["http://10.0.0.1/cb"] },
    "invalid_redirect_uri",
    /http is allowed only for localhost/,
  ],
  [
    "fragment",
    { redirect_uris: ["https://app.example.com/cb#x"] },
    "invalid_redirect_uri",
    /must not contain a fragment/,
  ],
  [
    "wildcard",
    { redirect_uris: ["https://*.example.com/cb"] },
    "invalid_redirect_uri",
    /must not contain a wildcard/,
  ],
  [
    "userinfo",
    { redirect_uris: ["https://user:pw@app.example.com/cb"] },
    "invalid_redirect_uri",
    /must not contain userinfo/,
  ],
  [
    "userinfo without password",
    { redirect_uris: ["https://evil@app.example.com/cb"] },
    "invalid_redirect_uri",
    /must not contain userinfo/,
  ],
  [
    "whitespace",
    { redirect_uris: ["https://app.example.com/c b"] },
    "invalid_redirect_uri",
    /contains whitespace/,
  ],
  ["relative", { redirect_uris: ["/cb"] }, "invalid_redirect_uri", /is not an absolute URI/],
  [
    "javascript:",
    { redirect_uris: ["javascript:alert(1)"] },
    "invalid_redirect_uri",
    /forbidden scheme/,
  ],
  ["data:", { redirect_uris: ["data:text/html,hi"] }, "invalid_redirect_uri", /forbidden scheme/],
  [
    "private-use scheme for a web client",
    { redirect_uris: ["myapp://cb"], application_type: "web" },
    "invalid_redirect_uri",
    /web clients must use https/,
  ],
  [
    "too long",
    { redirect_uris: [long(1024)] },
    "invalid_redirect_uri",
    '"redirect_uris" entries must be 1-1024 characters',
  ],
  [
    "too many",
    { redirect_uris: Array.from({ length: 101 }, (_, i) => `https://app.example.com/${i}`) },
    "invalid_redirect_uri",
    '"redirect_uris" must have at most 100 entries',
  ],
  [
    "duplicates",
    { redirect_uris: ["https://a.example/cb", "https://a.example/cb"] },
    "invalid_redirect_uri",
    '"redirect_uris" must not repeat an entry',
  ],
  [
    "unsupported auth method",
    { token_endpoint_auth_method: "private_key_jwt" },
    "invalid_client_metadata",
    /"token_endpoint_auth_method" must be one of none, client_secret_basic, client_secret_post/,
  ],
  [
    "implicit grant",
    { grant_types: ["implicit"] },
    "invalid_client_metadata",
    '"grant_types" must contain only authorization_code, refresh_token',
  ],
  [
    "client_credentials not allowed",
    { grant_types: ["client_credentials"], token_endpoint_auth_method: "client_secret_basic" },
    "invalid_client_metadata",
    '"grant_types" must contain only authorization_code, refresh_token',
  ],
  [
    "refresh_token alone",
    { grant_types: ["refresh_token"] },
    "invalid_client_metadata",
    '"grant_types": refresh_token needs authorization_code',
  ],
  [
    "empty grant_types",
    { grant_types: [] },
    "invalid_client_metadata",
    '"grant_types" must not be empty',
  ],
  [
    "grant_types not an array",
    { grant_types: "authorization_code" },
    "invalid_client_metadata",
    '"grant_types" must be an array of strings',
  ],
  [
    "response type token",
    { response_types: ["token"] },
    "invalid_client_metadata",
    '"response_types" must contain only "code"',
  ],
  [
    "no response type for code",
    { response_types: [] },
    "invalid_client_metadata",
    '"response_types" must be ["code"] for authorization_code',
  ],
  [
    "scope outside the allowed set",
    { scope: "openid mcp-api/admin" },
    "invalid_client_metadata",
    '"scope": "mcp-api/admin" is not allowed; allowed: openid email profile mcp-api/read mcp-api/write',
  ],
  [
    "scope not a string",
    { scope: ["openid"] },
    "invalid_client_metadata",
    '"scope" must be a space-separated string',
  ],
  [
    "empty scope",
    { scope: " " },
    "invalid_client_metadata",
    '"scope" must name at least one scope',
  ],
  [
    "client_name not a string",
    { client_name: 7 },
    "invalid_client_metadata",
    '"client_name" must be a string of 1-200 characters',
  ],
  [
    "client_name too long",
    { client_name: "n".repeat(201) },
    "invalid_client_metadata",
    '"client_name" must be a string of 1-200 characters',
  ],
  [
    "client_name with control characters",
    { client_name: "a\u0000b" },
    "invalid_client_metadata",
    '"client_name" must not contain control characters',
  ],
  [
    "application_type unknown",
    { application_type: "desktop" },
    "invalid_client_metadata",
    '"application_type" must be "web" or "native"',
  ],
  [
    "client_uri over http",
    { client_uri: "http://app.example.com" },
    "invalid_client_metadata",
    '"client_uri" must be an absolute https URL without userinfo',
  ],
  [
    "logo_uri not a URL",
    { logo_uri: "logo.png" },
    "invalid_client_metadata",
    '"logo_uri" must be an absolute https URL',
  ],
  [
    "policy_uri javascript:",
    { policy_uri: "javascript:alert(1)" },
    "invalid_client_metadata",
    '"policy_uri" must be an absolute https URL without userinfo',
  ],
  [
    "tos_uri not a string",
    { tos_uri: 1 },
    "invalid_client_metadata",
    '"tos_uri" must be a string of 1-2048 characters',
  ],
  [
    "contacts not an array",
    { contacts: "a@example.com" },
    "invalid_client_metadata",
    '"contacts" must be an array of strings',
  ],
  [
    "too many contacts",
    { contacts: Array.from({ length: 11 }, (_, i) => `${i}@example.com`) },
    "invalid_client_metadata",
    '"contacts" must have at most 10 entries',
  ],
  [
    "software_id not a string",
    { software_id: {} },
    "invalid_client_metadata",
    '"software_id" must be a string of 1-255 characters',
  ],
  [
    "software_version too long",
    { software_version: "1".repeat(256) },
    "invalid_client_metadata",
    '"software_version" must be a string of 1-255 characters',
  ],
];

describe("RFC 7591 §3.2.2 error response: every rule rejects", () => {
  it.each(REJECTED)("%s", async (_name, metadata, code, description) => {
    const { register, cognito } = setup();
    const body = { redirect_uris: ["https://app.example.com/cb"], ...metadata };
    if (!("redirect_uris" in metadata) && _name === "redirect_uris missing")
      delete (body as Body).redirect_uris;
    await expectOAuthError(await register(body), 400, code, description);
    expect(cognito.calls).toEqual([]);
  });

  it("refuses client_credentials without a secret, or with OIDC scopes, even when allowed", async () => {
    const { register } = setup({ vars: { ALLOW_CLIENT_CREDENTIALS: "true" } });
    await expectOAuthError(
      await register({ grant_types: ["client_credentials"], token_endpoint_auth_method: "none" }),
      400,
      "invalid_client_metadata",
      '"grant_types": client_credentials needs a client secret, not "none"',
    );
    await expectOAuthError(
      await register({ grant_types: ["client_credentials"], scope: "openid mcp-api/read" }),
      400,
      "invalid_client_metadata",
      '"scope": client_credentials clients may have resource-server scopes only',
    );
    await expectOAuthError(
      await register({
        grant_types: ["client_credentials", "authorization_code"],
        redirect_uris: ["https://a.example/cb"],
      }),
      400,
      "invalid_client_metadata",
      '"grant_types": client_credentials cannot be combined with other grant types',
    );
  });

  it("refuses redirect URIs outside REDIRECT_URI_ALLOW_PATTERNS", async () => {
    const { register } = setup({
      vars: {
        REDIRECT_URI_ALLOW_PATTERNS: "http://localhost:*/oauth/callback https://*.example.com/cb",
      },
    });
    expect((await register(INSPECTOR)).status).toBe(201);
    expect(
      (await register({ ...INSPECTOR, redirect_uris: ["https://app.example.com/cb"] })).status,
    ).toBe(201);
    await expectOAuthError(
      await register({ ...INSPECTOR, redirect_uris: ["https://app.example.org/cb"] }),
      400,
      "invalid_redirect_uri",
      /is not allowed by this server's policy/,
    );
    await expectOAuthError(
      await register({ ...INSPECTOR, redirect_uris: ["https://a.b.example.com/x/cb"] }),
      400,
      "invalid_redirect_uri",
      /is not allowed by this server's policy/,
    );

    // The URL parser reads the host of this one as evil.com: refused, whatever a pattern says.
    await expectOAuthError(
      await register({ ...INSPECTOR, redirect_uris: ["https://evil.com\\.example.com/cb"] }),
      400,
      "invalid_redirect_uri",
      /must be written in normalized form: "https:\/\/evil\.com\/\.example\.com\/cb"/,
    );
    await expectOAuthError(
      await register({ ...INSPECTOR, redirect_uris: ["https://evilexample.com/cb"] }),
      400,
      "invalid_redirect_uri",
      /is not allowed by this server's policy/,
    );
  });

  it("refuses a redirect URI not written as the URL parser reads it", async () => {
    const { register } = setup();
    for (const uri of [
      "https://App.example.com/cb",
      "https://app.example.com:443/cb",
      "https://app.example.com/a/../cb",
      "https://app.example.com:443",
      "https://app.example.com?x=1",
      "http://localhost:6274/oauth\\callback",
    ])
      await expectOAuthError(
        await register({ ...INSPECTOR, redirect_uris: [uri] }),
        400,
        "invalid_redirect_uri",
        /must be written in normalized form/,
      );
  });

  it("takes an origin alone as written: VS Code's http://127.0.0.1:33418 (RFC 3986 §6.2.3)", async () => {
    const { register } = setup();
    for (const uri of ["http://127.0.0.1:33418", "https://app.example.com"]) {
      const res = await register({ ...INSPECTOR, redirect_uris: [uri] });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { redirect_uris: string[] }).redirect_uris).toEqual([uri]);
    }
  });

  it("refuses a body that is not a JSON object", async () => {
    const { register, call } = setup();
    await expectOAuthError(
      await register("{"),
      400,
      "invalid_client_metadata",
      "the request body is not valid JSON",
    );
    await expectOAuthError(
      await register([INSPECTOR]),
      400,
      "invalid_client_metadata",
      "the request body must be a JSON object",
    );
    await expectOAuthError(
      await register(null),
      400,
      "invalid_client_metadata",
      "the request body must be a JSON object",
    );
    await expectOAuthError(
      await call("/register", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "{}",
      }),
      415,
      "invalid_request",
      "the request body must be application/json",
    );
    await expectOAuthError(
      await register({ ...INSPECTOR, client_name: "x".repeat(70_000) }),
      413,
      "invalid_request",
      "the request body is too large",
    );
  });

  it("stops reading an oversized body at the limit, with no Content-Length to go by", async () => {
    const { call, cognito } = setup();
    let pulled = 0;
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    await expectOAuthError(
      await call("/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: endless,
        // @ts-expect-error: workerd needs duplex for a streamed request body
        duplex: "half",
      }),
      413,
      "invalid_request",
      "the request body is too large",
    );
    expect(pulled).toBeLessThan(10);
    expect(cognito.calls).toEqual([]);
  });
});

describe("CORS only where a browser-based client calls (any origin, never credentials)", () => {
  const ORIGIN = "http://localhost:6274";
  const preflight = (facade: ReturnType<typeof setup>, path: string, method: string) =>
    facade.call(path, {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it.each([
    ["/register", "POST"],
    ["/token", "POST"],
    ["/revoke", "POST"],
    ["/.well-known/oauth-authorization-server", "GET"],
    ["/.well-known/openid-configuration", "GET"],
  ])(
    "%s: a preflight for %s is allowed from any origin, without credentials",
    async (path, method) => {
      const response = await preflight(setup(), path, method);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")?.split(",")).toContain(method);
      expect(response.headers.get("access-control-allow-headers")).toBe(
        "Authorization,Content-Type",
      );
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    },
  );

  it("POST /register answers are readable from the page: the registration and its refusals", async () => {
    const facade = setup();
    const created = await facade.register(INSPECTOR, { origin: ORIGIN });
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe("*");
    const refused = await facade.register(
      { redirect_uris: ["http://example.com/cb"] },
      {
        origin: ORIGIN,
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("RFC 7592 management has none: a page can neither preflight nor read it", async () => {
    const facade = setup();
    const body = (await (await facade.register(INSPECTOR)).json()) as Body;
    const path = new URL(body.registration_client_uri as string).pathname;
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await preflight(facade, path, method);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-allow-methods")).toBeNull();
    }
    const read = await facade.call(path, {
      headers: { origin: ORIGIN, authorization: `Bearer ${body.registration_access_token}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each([
    ["/authorize", "GET"],
    ["/authorize/decision", "POST"],
    ["/callback", "GET"],
  ])("the front door's %s has none", async (path, method) => {
    const facade = setup();
    expect(
      (await preflight(facade, path, method)).headers.get("access-control-allow-origin"),
    ).toBeNull();
    const response = await facade.call(path, {
      method,
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      ...(method === "POST" ? { body: "" } : {}),
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
