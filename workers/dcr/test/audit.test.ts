import { createScheduledController, env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_AUDITED_DESCRIPTION_LENGTH } from "../src/http/audit-refusals";
import { hashSource } from "../src/registration/abuse";
import { sha256Hex } from "../src/registration/secrets";
import { CIMD_CLIENT_PREFIX, CLIENT_PREFIX, cimdClientKey, sourceKey } from "../src/storage/keys";
import {
  authorizePath,
  type Browser,
  browserOn,
  failingClientWrites,
  INSPECTOR,
  ISSUER,
  NOW,
  readTransaction,
  registerClient,
  seedLegacyRegistration,
  setup,
  signInThroughFrontDoor,
} from "./support";

afterEach(() => vi.restoreAllMocks());

type Line = Record<string, unknown>;

/**
 * Every line written with console.log from now on, raw, and the audit lines among them but for
 * `register` `created` (the registrations a test makes to have a client).
 */
function captureLog() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  return {
    lines,
    audits: (): Line[] =>
      lines
        .map((line) => JSON.parse(line) as Line)
        .filter((line) => line.audit === "dcr" && line.outcome !== "created"),
  };
}

/** A limiter that always refuses. */
const refusing = { limit: async () => ({ success: false }) } as RateLimit;

/** A facade with one registered client, and the way to call its RFC 7592 endpoint. */
async function withClient(vars: Partial<Env> = {}) {
  const facade = setup({ vars });
  const created = (await (
    await facade.register({ ...INSPECTOR, token_endpoint_auth_method: "client_secret_basic" })
  ).json()) as Record<string, string>;
  const path = new URL(created.registration_client_uri as string).pathname;
  return {
    ...facade,
    path,
    clientId: created.client_id as string,
    token: created.registration_access_token as string,
    clientSecret: created.client_secret as string,
  };
}

/** The shared app clients a facade's limits object records (group, slot, Cognito client id). */
function appClientsOf(facade: ReturnType<typeof setup>) {
  return env.REGISTRATION_LIMITS.getByName(facade.limitsObjectName).listAppClients();
}

/** A body field the audit line must never carry (the request body is not logged). */
const BODY_MARKER = "body-marker-9f3a1c";
const WRONG_TOKEN = "wrong-token-value-5be21d";

describe("audit lines for every refusal of RFC 7591 POST /register", () => {
  it("the rate limit: 429, named by the source's hash", async () => {
    const log = captureLog();
    const { register, source } = setup({ vars: { REGISTER_RATE_LIMITER: refusing } });
    expect((await register(INSPECTOR)).status).toBe(429);
    expect(log.audits()).toEqual([
      {
        audit: "dcr",
        action: "register",
        outcome: "refused",
        status: 429,
        error: "temporarily_unavailable",
        description: "too many registrations; retry later",
        source: await hashSource(sourceKey(source)),
      },
    ]);
  });

  it("a missing or wrong initial access token: 401, and the token sent is not logged", async () => {
    const log = captureLog();
    const { register } = setup({ vars: { DCR_INITIAL_ACCESS_TOKEN: "iat-secret-value-77c0" } });
    expect((await register(INSPECTOR)).status).toBe(401);
    expect((await register(INSPECTOR, { authorization: `Bearer ${WRONG_TOKEN}` })).status).toBe(
      401,
    );
    expect(log.audits()).toEqual([
      expect.objectContaining({ action: "register", status: 401, error: "invalid_token" }),
      expect.objectContaining({ action: "register", status: 401, error: "invalid_token" }),
    ]);
    const all = log.lines.join("\n");
    expect(all).not.toContain(WRONG_TOKEN);
    expect(all).not.toContain("iat-secret-value-77c0");
  });

  it("the daily cap: 429 with the cap's own description", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" } });
    expect((await register(INSPECTOR)).status).toBe(201);
    const log = captureLog();
    expect((await register(INSPECTOR)).status).toBe(429);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "register",
        outcome: "refused",
        status: 429,
        error: "temporarily_unavailable",
        description: "this source has reached its daily limit of registrations",
      }),
    ]);
  });

  it("invalid_client_metadata: 400, without the request body", async () => {
    const log = captureLog();
    const { register } = setup();
    const response = await register({
      ...INSPECTOR,
      client_name: BODY_MARKER,
      grant_types: ["password"],
    });
    expect(response.status).toBe(400);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "register",
        outcome: "refused",
        status: 400,
        error: "invalid_client_metadata",
        description: '"grant_types" must contain only authorization_code, refresh_token',
      }),
    ]);
    expect(log.lines.join("\n")).not.toContain(BODY_MARKER);
  });

  it("a description that echoes the request is cut to a bounded length", async () => {
    const log = captureLog();
    const { register } = setup();
    expect((await register({ ...INSPECTOR, scope: "s".repeat(1000) })).status).toBe(400);
    const [line] = log.audits();
    expect(line).toMatchObject({ status: 400, error: "invalid_client_metadata" });
    expect(String(line?.description)).toHaveLength(MAX_AUDITED_DESCRIPTION_LENGTH);
  });

  it("invalid_redirect_uri: 400", async () => {
    const log = captureLog();
    const { register } = setup();
    const response = await register({
      client_name: BODY_MARKER,
      redirect_uris: ["https://app.example.com/cb#fragment"],
      token_endpoint_auth_method: "none",
    });
    expect(response.status).toBe(400);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "register",
        outcome: "refused",
        status: 400,
        error: "invalid_redirect_uri",
        description:
          '"redirect_uris" entry "https://app.example.com/cb#fragment" must not contain a fragment',
      }),
    ]);
    expect(log.lines.join("\n")).not.toContain(BODY_MARKER);
  });

  it("a body that is not JSON: 415; one too large: 413", async () => {
    const log = captureLog();
    const { call, register } = setup();
    const notJson = await call("/register", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: BODY_MARKER,
    });
    expect(notJson.status).toBe(415);
    expect((await register({ ...INSPECTOR, client_name: BODY_MARKER.repeat(5000) })).status).toBe(
      413,
    );
    expect(log.audits()).toEqual([
      expect.objectContaining({ action: "register", status: 415, error: "invalid_request" }),
      expect.objectContaining({
        action: "register",
        status: 413,
        error: "invalid_request",
        description: "the request body is too large",
      }),
    ]);
    expect(log.lines.join("\n")).not.toContain(BODY_MARKER);
  });

  it("a registration that cannot be stored: 500, outcome failed", async () => {
    const { register, source, cognito } = setup({
      vars: { REGISTRATIONS: failingClientWrites() },
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const log = captureLog();
    expect((await register(INSPECTOR)).status).toBe(500);
    expect(log.audits()).toEqual([
      {
        audit: "dcr",
        action: "register",
        outcome: "failed",
        status: 500,
        error: "server_error",
        description: "the client could not be registered; retry later",
        source: await hashSource(sourceKey(source)),
      },
    ]);
    // Registration makes no app client: Cognito's quota can no longer refuse it.
    expect(cognito.calls).toEqual([]);
  });

  it("writes no refusal line for a registration that succeeds", async () => {
    const log = captureLog();
    const { register } = setup();
    expect((await register(INSPECTOR)).status).toBe(201);
    expect(log.audits()).toEqual([]);
  });
});

describe("audit lines for every refusal of RFC 7592 /register/<client_id>", () => {
  it("a wrong registration access token: 401 for read, update and delete, with the client id", async () => {
    const { call, path, clientId, source } = await withClient();
    const log = captureLog();
    for (const method of ["GET", "PUT", "DELETE"])
      expect(
        (
          await call(path, {
            method,
            headers: { authorization: `Bearer ${WRONG_TOKEN}`, "content-type": "application/json" },
            ...(method === "PUT"
              ? { body: JSON.stringify({ ...INSPECTOR, client_id: clientId }) }
              : {}),
          })
        ).status,
      ).toBe(401);
    const expected = (action: string) => ({
      audit: "dcr",
      action,
      outcome: "refused",
      status: 401,
      error: "invalid_token",
      description: "the registration access token is invalid for this client",
      source: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientId,
    });
    expect(log.audits()).toEqual([expected("read"), expected("update"), expected("delete")]);
    expect(log.audits()[0]?.source).toBe(await hashSource(sourceKey(source)));
    expect(log.lines.join("\n")).not.toContain(WRONG_TOKEN);
  });

  it("no token at all, and a path that is no client id (not logged as one)", async () => {
    const { call, path } = await withClient();
    const log = captureLog();
    expect((await call(path)).status).toBe(401);
    expect((await call(`/register/${"x".repeat(200)}`)).status).toBe(401);
    const [missing, notAnId] = log.audits();
    expect(missing).toMatchObject({ action: "read", status: 401, error: "invalid_token" });
    expect(notAnId).toMatchObject({ action: "read", status: 401, error: "invalid_token" });
    expect(notAnId).not.toHaveProperty("clientId");
  });

  it("invalid metadata in an update: 400, without the body or any secret", async () => {
    const { call, path, clientId, token, clientSecret } = await withClient();
    const log = captureLog();
    const response = await call(path, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        ...INSPECTOR,
        client_id: clientId,
        client_name: BODY_MARKER,
        client_secret: clientSecret,
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["password"],
      }),
    });
    expect(response.status).toBe(400);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "update",
        outcome: "refused",
        status: 400,
        error: "invalid_client_metadata",
        clientId,
      }),
    ]);
    const all = log.lines.join("\n");
    for (const secret of [BODY_MARKER, token, clientSecret]) expect(all).not.toContain(secret);
  });

  it("an update that is not JSON: 415", async () => {
    const { call, path, token, clientId } = await withClient();
    const log = captureLog();
    const response = await call(path, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "{}",
    });
    expect(response.status).toBe(415);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "update",
        status: 415,
        error: "invalid_request",
        clientId,
      }),
    ]);
    expect(log.lines.join("\n")).not.toContain(token);
  });

  it("the per-client rate limit: 429", async () => {
    const { call, path, token, clientId } = await withClient({ MANAGE_RATE_LIMITER: refusing });
    const log = captureLog();
    expect((await call(path, { headers: { authorization: `Bearer ${token}` } })).status).toBe(429);
    expect(log.audits()).toEqual([
      expect.objectContaining({
        action: "read",
        outcome: "refused",
        status: 429,
        error: "temporarily_unavailable",
        clientId,
      }),
    ]);
  });

  it("Cognito failing an update of a registration with its own app client: 502, outcome failed", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, { relayCallbackUrl: `${ISSUER}/callback` });
    facade.cognito.fail("UpdateUserPoolClient", "NotAuthorizedException");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const log = captureLog();
    const response = await facade.call(`/register/${legacy.clientId}`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${legacy.registrationAccessToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        client_id: legacy.clientId,
        client_name: BODY_MARKER,
        redirect_uris: legacy.record.metadata.redirectUris,
        token_endpoint_auth_method: "none",
      }),
    });
    expect(response.status).toBe(502);
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toHaveLength(1);
    expect(log.audits()).toEqual([
      {
        audit: "dcr",
        action: "update",
        outcome: "failed",
        status: 502,
        error: "server_error",
        description: "the authorization server could not be reached",
        source: await hashSource(sourceKey(facade.source)),
        clientId: legacy.clientId,
      },
    ]);
    const all = log.lines.join("\n");
    for (const secret of [BODY_MARKER, legacy.registrationAccessToken])
      expect(all).not.toContain(secret);
  });

  it("writes no refusal line for a read that succeeds", async () => {
    const { call, path, token } = await withClient();
    const log = captureLog();
    expect((await call(path, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(log.audits()).toEqual([]);
  });
});

describe("audit lines of the front door", () => {
  const REDIRECT = "http://localhost:6274/oauth/callback";

  /** Opens the consent page for `client_id` in `browser` and answers it. */
  async function decide(browser: Browser, clientId: string, decision: "approve" | "deny") {
    const page = await browser.get(authorizePath({ client_id: clientId, redirect_uri: REDIRECT }));
    expect(page.status).toBe(200);
    return browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision,
    });
  }

  it("consent approved, then remembered; denied; each with the client id and scope", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, INSPECTOR);
    const log = captureLog();
    const browser = browserOn(facade);
    expect((await decide(browser, client_id, "approve")).status).toBe(302);
    const again = await browser.get(authorizePath({ client_id, redirect_uri: REDIRECT }));
    expect(again.status).toBe(302);
    expect((await decide(browserOn(facade), client_id, "deny")).status).toBe(302);
    const consent = (outcome: string) => ({
      audit: "dcr",
      action: "consent",
      outcome,
      clientId: client_id,
      scope: "openid mcp-api/read",
    });
    // The first approval needs the group's shared app client, which is made then.
    const [row, ...more] = await appClientsOf(facade);
    expect(more).toEqual([]);
    expect(log.audits()).toEqual([
      consent("approved"),
      {
        audit: "dcr",
        action: "app_client_create",
        cognitoClientId: row?.clientId,
        group: row?.group,
        kind: "public",
        slot: row?.slot,
        scope: "mcp-api/read mcp-api/write openid",
      },
      consent("remembered"),
      consent("denied"),
    ]);
    expect(facade.cognito.clients.has(row?.clientId ?? "")).toBe(true);
  });

  it("a shared app client Cognito refuses to make (its quota): failed, then made on a later sign-in", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, INSPECTOR);
    facade.cognito.fail("CreateUserPoolClient", "LimitExceededException");
    const log = captureLog();
    const refused = await decide(browserOn(facade), client_id, "approve");
    const location = new URL(refused.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("temporarily_unavailable");
    expect((await decide(browserOn(facade), client_id, "approve")).status).toBe(302);
    const [row] = await appClientsOf(facade);
    const lines = log.audits().filter((line) => line.action === "app_client_create");
    expect(lines).toEqual([
      {
        audit: "dcr",
        action: "app_client_create",
        outcome: "failed",
        group: row?.group,
        kind: "public",
        slot: row?.slot,
        cognitoError: "LimitExceededException",
      },
      expect.objectContaining({ cognitoClientId: row?.clientId, group: row?.group }),
    ]);
    expect(lines[1]).not.toHaveProperty("outcome");
  });

  it("a callback refused: not the browser that started the sign-in", async () => {
    const facade = setup();
    const { client_id } = await registerClient(facade, INSPECTOR);
    const approved = await decide(browserOn(facade), client_id, "approve");
    const callback = facade.cognito.signIn(approved.headers.get("location") ?? "");
    const log = captureLog();
    expect((await browserOn(facade).get(callback)).status).toBe(403);
    expect(log.audits()).toEqual([
      {
        audit: "dcr",
        action: "callback",
        outcome: "refused",
        clientId: client_id,
        reason: "not this browser",
      },
    ]);
  });

  it("a CIMD URL's first approval: recorded, or refused by the rate limit", async () => {
    const clientId = "https://app.example.com/client.json";
    const redirectUri = "https://app.example.com/callback";
    const document = { client_id: clientId, redirect_uris: [redirectUri] };
    const approve = async (facade: ReturnType<typeof setup>) => {
      facade.cognito.serveDocument(clientId, document);
      const browser = browserOn(facade);
      const page = await browser.get(
        authorizePath({ client_id: clientId, redirect_uri: redirectUri }),
      );
      return browser.postForm("/authorize/decision", {
        transaction: readTransaction(await page.text()),
        decision: "approve",
      });
    };
    const log = captureLog();
    const refusedBy = setup({ vars: { REGISTER_RATE_LIMITER: refusing } });
    expect((await approve(refusedBy)).status).toBe(302);
    expect(refusedBy.cognito.callsOf("CreateUserPoolClient")).toEqual([]);
    const facade = setup();
    expect((await approve(facade)).status).toBe(302);
    const [row] = await appClientsOf(facade);
    const lines = log
      .audits()
      .filter((line) => line.action === "cimd_create" || line.action === "app_client_create");
    expect(lines).toEqual([
      {
        audit: "dcr",
        action: "cimd_create",
        outcome: "refused",
        source: await hashSource(sourceKey(refusedBy.source)),
        status: 429,
      },
      {
        audit: "dcr",
        action: "cimd_create",
        clientId,
        // The step-up scopes are registered with every authorization-code client.
        scope: "openid mcp-api/read mcp-api/write",
      },
      // A CIMD URL is served by the shared app client of its group, made on its first need.
      {
        audit: "dcr",
        action: "app_client_create",
        cognitoClientId: row?.clientId,
        group: row?.group,
        kind: "public",
        slot: row?.slot,
        scope: "mcp-api/read mcp-api/write openid",
      },
    ]);
  });
});

describe("audit lines of the daily cron", () => {
  beforeEach(async () => {
    // The cron reads every registration in KV: start from none (other tests here leave some).
    for (const prefix of [CLIENT_PREFIX, CIMD_CLIENT_PREFIX])
      for (const key of (await env.REGISTRATIONS.list({ prefix })).keys)
        await env.REGISTRATIONS.delete(key.name);
  });

  it("an orphan deleted, vanished app clients forgotten, stale registrations and CIMD URLs deleted", async () => {
    const DAY_MS = 24 * 3600 * 1000;
    let now = NOW;
    const facade = setup({ now: () => now, vars: { UNUSED_CLIENT_HOURS: "0" } });
    const redirect = INSPECTOR.redirect_uris[0];
    // Two registrations served by shared app clients (public and confidential), each signed in.
    const { client_id: stale } = await registerClient(facade, INSPECTOR);
    const { client_id: staleConfidential } = await registerClient(facade, {
      ...INSPECTOR,
      token_endpoint_auth_method: "client_secret_basic",
    });
    for (const client_id of [stale, staleConfidential])
      await signInThroughFrontDoor(facade, browserOn(facade), {
        client_id,
        redirect_uri: redirect,
      });
    const rows = await appClientsOf(facade);
    expect(rows).toHaveLength(2);
    // The confidential group's app client is the one with a secret.
    const hasSecret = (id: string) => facade.cognito.clients.get(id)?.ClientSecret !== undefined;
    const kept = rows.find((row) => !hasSecret(row.clientId))?.clientId ?? "";
    const gone = rows.find((row) => hasSecret(row.clientId))?.clientId ?? "";
    expect([kept, gone]).not.toContain("");
    facade.cognito.clients.delete(gone);
    // A CIMD URL served by the shared public app client.
    const cimdUrl = "https://app.example.com/client.json";
    facade.cognito.serveDocument(cimdUrl, {
      client_id: cimdUrl,
      redirect_uris: ["https://app.example.com/callback"],
    });
    await signInThroughFrontDoor(facade, browserOn(facade), {
      client_id: cimdUrl,
      redirect_uri: "https://app.example.com/callback",
    });
    // A registration made before app clients were shared, whose own app client is gone.
    const { clientId: vanished } = await seedLegacyRegistration(facade);
    facade.cognito.clients.delete(vanished);
    const orphan = facade.cognito.seed({ ClientName: "dcr-lost" });
    now += 91 * DAY_MS;
    const log = captureLog();
    await facade.worker.scheduled(
      createScheduledController({ scheduledTime: new Date(now), cron: "17 3 * * *" }),
      facade.env,
    );
    const staleLine = (clientId: string) => ({
      audit: "dcr",
      action: "delete",
      clientId,
      reason: "stale",
      clientIdIssuedAt: NOW / 1000,
      lastUsedAt: NOW / 1000,
    });
    const lines = log.audits();
    expect(lines).toHaveLength(6);
    expect(lines).toEqual(
      expect.arrayContaining([
        {
          audit: "dcr",
          action: "forget",
          clientId: gone,
          reason: "shared app client not in Cognito",
        },
        {
          audit: "dcr",
          action: "delete",
          clientId: orphan,
          reason: "orphan: no registration record",
        },
        { audit: "dcr", action: "forget", clientId: vanished, reason: "not in Cognito" },
        staleLine(stale),
        staleLine(staleConfidential),
        {
          audit: "dcr",
          action: "delete",
          clientId: cimdClientKey(await sha256Hex(cimdUrl)),
          reason: "stale CIMD client",
        },
      ]),
    );
    // The shared app client still in use is no orphan: it is kept, and no line names it.
    expect(facade.cognito.clients.has(kept)).toBe(true);
    expect(lines.map((line) => line.clientId)).not.toContain(kept);
  });
});
