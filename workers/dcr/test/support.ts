import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { CookieJar } from "@mcp-cognito-workers/test-support/browser";
import { expect } from "vitest";
import { createApp } from "../src/app";
import { sha256Hex } from "../src/registration/secrets";
import { type RegistrationRecord, writeRegistration } from "../src/storage/records";

export const ISSUER = env.ISSUER;
export const COGNITO_ISSUER = env.COGNITO_ISSUER;
export const POOL_ID = env.COGNITO_USER_POOL_ID;
/** A fixed clock: 2026-11-26T00:00:00Z. */
export const NOW = Date.UTC(2026, 10, 26);

/** A Cognito call the fake received. */
export interface RecordedCall {
  operation: string;
  input: Record<string, unknown>;
  authorization: string;
}

/** A call to Cognito's managed-login token or revocation endpoint that the fake received. */
export interface RecordedOAuthCall {
  endpoint: "token" | "revoke";
  form: Record<string, string>;
  /** The Authorization header as sent ("" when absent). */
  authorization: string;
}

/** The tokens the fake's token endpoint answered with. */
export interface FakeTokens {
  access_token: string;
  id_token: string;
  /** Absent on a refresh of an app client that does not rotate refresh tokens. */
  refresh_token?: string;
  token_type: "Bearer";
  expires_in: number;
}

/** A failure of Cognito's managed-login endpoints: an HTTP status, or no answer at all. */
export type OAuthFailure = { status: number } | "network";

/** A code the fake's managed login issued. */
interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
}

interface StoredClient {
  ClientId: string;
  ClientName: string;
  ClientSecret?: string;
  CreationDate: number;
  [key: string]: unknown;
}

/**
 * An in-memory Cognito IdP API and discovery endpoint, as an injected `fetch`. It records every
 * call and can be told to fail the next calls of an operation with a given `__type`.
 */
export class FakeCognito {
  readonly calls: RecordedCall[] = [];
  readonly clients = new Map<string, StoredClient>();
  discoveryFetches = 0;
  /** Calls to the managed-login token and revocation endpoints. */
  readonly oauthCalls: RecordedOAuthCall[] = [];
  /** The last authorize URL {@link FakeCognito.signIn} was given. */
  lastAuthorize: string | undefined;
  /** Every token set the token endpoint answered with, in order. */
  readonly issuedTokens: FakeTokens[] = [];
  /** URLs of the client metadata documents fetched through this fake. */
  readonly documentFetches: string[] = [];
  private failures: { operation: string; type: string; status: number; times: number }[] = [];
  private oauthFailures: { endpoint: "token" | "revoke"; failure: OAuthFailure; times: number }[] =
    [];
  private readonly codes = new Map<string, IssuedCode>();
  /** Refresh token → the app client it was issued to. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly documents = new Map<string, () => Response>();
  private readonly heldAnswers: {
    operation: string;
    reached: () => void;
    released: Promise<void>;
  }[] = [];
  private callDelay: (() => number) | undefined;
  private serial = 0;

  constructor(private readonly now: () => number = () => NOW) {}

  /** Makes the next `times` calls of `operation` fail with `type`. */
  fail(operation: string, type: string, options: { status?: number; times?: number } = {}) {
    this.failures.push({
      operation,
      type,
      status: options.status ?? 400,
      times: options.times ?? 1,
    });
  }

  /**
   * Holds back the answer to the next call of `operation`: the call takes effect (as a Cognito
   * whose answer is slow to arrive), and its answer waits until `release()`. `reached` settles
   * when the call has taken effect.
   */
  holdAnswer(operation: string): { reached: Promise<void>; release: () => void } {
    let reached = () => {};
    let release = () => {};
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.heldAnswers.push({ operation, reached, released });
    return { reached: reachedPromise, release };
  }

  /**
   * Delays every IdP API call on its way in and its answer on its way out by `milliseconds()`
   * each, as a network would, so that concurrent calls take effect and answer in any order.
   */
  delayCalls(milliseconds: () => number) {
    this.callDelay = milliseconds;
  }

  private async networkDelay() {
    const delay = this.callDelay?.();
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Makes the next `times` calls of the managed-login `endpoint` fail. */
  failOAuth(endpoint: "token" | "revoke", failure: OAuthFailure, times = 1) {
    this.oauthFailures.push({ endpoint, failure, times });
  }

  /** Serves a client metadata document at `url` (a JSON body, or a function making the response). */
  serveDocument(url: string, document: unknown) {
    this.documents.set(
      url,
      typeof document === "function"
        ? (document as () => Response)
        : () => Response.json(document, { headers: { "cache-control": "max-age=60" } }),
    );
  }

  /**
   * Cognito's managed login after the person signs in: checks an authorize URL as Cognito does
   * (known app client, a redirect_uri among its CallbackURLs, allowed scopes, PKCE S256) and
   * returns the URL Cognito redirects to, with a code and the state. Throws what Cognito would
   * show as an error page.
   */
  signIn(authorizeUrl: string): string {
    const url = new URL(authorizeUrl);
    const query = url.searchParams;
    if (url.pathname !== "/oauth2/authorize") throw new Error(`not Cognito's authorize: ${url}`);
    this.lastAuthorize = authorizeUrl;
    const clientId = query.get("client_id") ?? "";
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`Cognito: no app client ${clientId}`);
    const redirectUri = query.get("redirect_uri") ?? "";
    if (!(client.CallbackURLs as string[] | undefined)?.includes(redirectUri))
      throw new Error(`Cognito: redirect_mismatch for ${redirectUri}`);
    const scope = query.get("scope") ?? "";
    const allowed = (client.AllowedOAuthScopes as string[] | undefined) ?? [];
    const refused = scope.split(" ").find((s) => !allowed.includes(s));
    if (refused !== undefined) throw new Error(`Cognito: invalid_scope ${refused}`);
    if (query.get("code_challenge_method") !== "S256" || !query.get("code_challenge"))
      throw new Error("Cognito: PKCE S256 expected");
    const code = `cognito-code-${++this.serial}-${this.newId()}`;
    this.codes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: query.get("code_challenge") ?? "",
      scope,
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = query.get("state");
    if (state !== null) back.searchParams.set("state", state);
    return back.href;
  }

  /** A refresh token the fake's token endpoint will honour for `clientId`. */
  issueRefreshToken(clientId: string): string {
    const token = `cognito-refresh-${++this.serial}-${this.newId()}`;
    this.refreshTokens.set(token, clientId);
    return token;
  }

  oauthCallsOf(endpoint: "token" | "revoke"): RecordedOAuthCall[] {
    return this.oauthCalls.filter((call) => call.endpoint === endpoint);
  }

  /** Adds a client as if created outside the facade (or long ago). */
  seed(client: Partial<StoredClient> & { ClientName: string }): string {
    const id = client.ClientId ?? this.newId();
    this.clients.set(id, { CreationDate: this.now() / 1000, ...client, ClientId: id });
    return id;
  }

  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname.endsWith("/.well-known/openid-configuration")) {
      this.discoveryFetches++;
      const issuer = `${url.origin}${url.pathname.replace("/.well-known/openid-configuration", "")}`;
      return Response.json(discoveryFor(issuer));
    }
    const document = request.method === "GET" ? this.documents.get(url.href) : undefined;
    if (document) {
      this.documentFetches.push(url.href);
      return document();
    }
    if (request.method === "POST" && url.pathname === "/oauth2/token")
      return this.managedLogin("token", request);
    if (request.method === "POST" && url.pathname === "/oauth2/revoke")
      return this.managedLogin("revoke", request);
    const target = request.headers.get("x-amz-target") ?? "";
    const operation = target.replace("AWSCognitoIdentityProviderService.", "");
    const input2 = (await request.json()) as Record<string, unknown>;
    await this.networkDelay();
    this.calls.push({
      operation,
      input: input2,
      authorization: request.headers.get("authorization") ?? "",
    });
    const failure = this.failures.find((f) => f.operation === operation && f.times > 0);
    if (failure) {
      failure.times--;
      return error(
        failure.type,
        `${failure.type} (upstream detail: arn:aws:secret-ish)`,
        failure.status,
      );
    }
    const answer = this.handle(operation, input2);
    const held = this.heldAnswers.findIndex((h) => h.operation === operation);
    if (held !== -1) {
      const [hold] = this.heldAnswers.splice(held, 1);
      hold?.reached();
      await hold?.released;
    }
    await this.networkDelay();
    return answer;
  };

  /** Cognito's managed-login token and revocation endpoints (RFC 6749 §5, RFC 7009). */
  private async managedLogin(endpoint: "token" | "revoke", request: Request): Promise<Response> {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    const authorization = request.headers.get("authorization") ?? "";
    this.oauthCalls.push({ endpoint, form, authorization });
    const failure = this.oauthFailures.find((f) => f.endpoint === endpoint && f.times > 0);
    if (failure) {
      failure.times--;
      if (failure.failure === "network") throw new TypeError("Network connection lost.");
      return new Response("<html>upstream trouble</html>", {
        status: failure.failure.status,
        headers: { "content-type": "text/html" },
      });
    }
    if (!/^application\/x-www-form-urlencoded/.test(request.headers.get("content-type") ?? ""))
      return oauthError("invalid_request");
    const client = this.authenticate(authorization, form);
    if (!client) return oauthError("invalid_client");
    if (endpoint === "revoke") {
      if (!form.token) return oauthError("invalid_request");
      this.refreshTokens.delete(form.token);
      return new Response(null, { status: 200 });
    }
    if (form.grant_type === "authorization_code") {
      const issued = this.codes.get(form.code ?? "");
      // One use only, whatever the outcome.
      this.codes.delete(form.code ?? "");
      if (
        !issued ||
        issued.clientId !== client.ClientId ||
        issued.redirectUri !== form.redirect_uri ||
        (await s256(form.code_verifier ?? "")) !== issued.codeChallenge
      )
        return oauthError("invalid_grant");
      return this.tokensFor(client.ClientId);
    }
    if (form.grant_type === "refresh_token") {
      if (this.refreshTokens.get(form.refresh_token ?? "") !== client.ClientId)
        return oauthError("invalid_grant");
      // As Cognito: a new refresh token only for an app client that rotates them.
      return this.tokensFor(client.ClientId, this.origins.get(form.refresh_token ?? ""), {
        rotate:
          (client.RefreshTokenRotation as { Feature?: string } | undefined)?.Feature === "ENABLED",
      });
    }
    return oauthError("unsupported_grant_type");
  }

  /** The app client a managed-login request authenticates as, as Cognito checks it. */
  private authenticate(
    authorization: string,
    form: Record<string, string>,
  ): StoredClient | undefined {
    let clientId = form.client_id;
    let secret = form.client_secret;
    if (authorization !== "") {
      const basic = /^Basic (.+)$/.exec(authorization)?.[1];
      if (!basic) return undefined;
      const decoded = atob(basic);
      const colon = decoded.indexOf(":");
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = this.clients.get(clientId ?? "");
    if (!client) return undefined;
    if (client.ClientSecret !== undefined ? secret !== client.ClientSecret : secret !== undefined)
      return undefined;
    return client;
  }

  /** The sign-in (`origin_jti`) each refresh token descends from. */
  private readonly origins = new Map<string, string>();

  private tokensFor(
    clientId: string,
    originJti: string = crypto.randomUUID(),
    options: { rotate?: boolean } = {},
  ): Response {
    const n = ++this.serial;
    const refreshToken = options.rotate === false ? undefined : this.issueRefreshToken(clientId);
    if (refreshToken !== undefined) this.origins.set(refreshToken, originJti);
    const tokens: FakeTokens = {
      access_token: fakeJwt({ client_id: clientId, origin_jti: originJti, n }),
      id_token: `id-${n}`,
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
      token_type: "Bearer",
      expires_in: 3600,
    };
    this.issuedTokens.push(tokens);
    return Response.json(tokens, { headers: { "cache-control": "no-store" } });
  }

  /** 26 lowercase alphanumerics, as Cognito's; random, as tests in one file share KV. */
  private newId(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    return [...crypto.getRandomValues(new Uint8Array(26))].map((b) => alphabet[b % 36]).join("");
  }

  private handle(operation: string, input: Record<string, unknown>): Response {
    if (input.UserPoolId !== POOL_ID) return error("ResourceNotFoundException", "no pool");
    switch (operation) {
      case "CreateUserPoolClient": {
        const { GenerateSecret, UserPoolId: _, ...config } = input;
        const id = this.newId();
        const client: StoredClient = {
          ...config,
          ClientId: id,
          ClientName: String(config.ClientName),
          CreationDate: this.now() / 1000,
          ...(GenerateSecret ? { ClientSecret: `secret-${id}-${"x".repeat(20)}` } : {}),
        };
        this.clients.set(id, client);
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "DescribeUserPoolClient": {
        const client = this.clients.get(String(input.ClientId));
        if (!client) return error("ResourceNotFoundException", "User pool client does not exist.");
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "UpdateUserPoolClient": {
        const old = this.clients.get(String(input.ClientId));
        if (!old) return error("ResourceNotFoundException", "User pool client does not exist.");
        const { UserPoolId: _, ...config } = input;
        // Full replace: only identity, secret and creation date survive.
        const client: StoredClient = {
          ...config,
          ClientId: old.ClientId,
          ClientName: String(config.ClientName ?? old.ClientName),
          CreationDate: old.CreationDate,
          ...(old.ClientSecret ? { ClientSecret: old.ClientSecret } : {}),
        };
        this.clients.set(old.ClientId, client);
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "DeleteUserPoolClient": {
        if (!this.clients.delete(String(input.ClientId)))
          return error("ResourceNotFoundException", "User pool client does not exist.");
        return ok({});
      }
      case "ListUserPoolClients": {
        const all = [...this.clients.values()];
        const start = Number(input.NextToken ?? 0);
        const max = Number(input.MaxResults ?? 60);
        const page = all.slice(start, start + max);
        return ok({
          UserPoolClients: page.map((c) => ({
            ClientId: c.ClientId,
            UserPoolId: POOL_ID,
            ClientName: c.ClientName,
          })),
          ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
        });
      }
      default:
        return error("UnknownOperationException", operation);
    }
  }
}

/** An unsigned JWT-shaped token carrying `claims` (the facade reads, never verifies, its claims). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "none" })}.${part(claims)}.sig`;
}

/** The claims of a JWT-shaped token, unverified. */
export function readClaims(jwt: string): Record<string, unknown> {
  const part = (jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part));
}

function ok(body: object): Response {
  return Response.json(body, {
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

function error(type: string, message: string, status = 400): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": `${type}:`,
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

/** An error of Cognito's managed-login endpoints: always 400, as Cognito answers. */
function oauthError(code: string): Response {
  return Response.json({ error: code }, { status: 400 });
}

/** base64url(SHA-256(`verifier`)): a PKCE S256 challenge. @see RFC 7636 §4.2 */
export async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  return btoa(String.fromCharCode(...digest))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/** Cognito's discovery document for an issuer (the stand-in's shape, managed login at the origin). */
export function discoveryFor(issuer: string) {
  const origin = new URL(issuer).origin;
  return {
    issuer,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    userinfo_endpoint: `${origin}/oauth2/userInfo`,
    revocation_endpoint: `${origin}/oauth2/revoke`,
    end_session_endpoint: `${origin}/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ["code", "token"],
    scopes_supported: ["openid", "email", "phone", "profile"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
  };
}

let ipCounter = 0;
/**
 * A documentation-range IPv6 address in a /64 not used before in this isolate (the rate limit and
 * the daily caps count an IPv6 /64 as one source), and random enough not to meet another isolate's.
 */
export function uniqueIp(): string {
  ipCounter = (ipCounter + 1) % 0x10000;
  const [network = 0, host = 0] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${network.toString(16)}:${ipCounter.toString(16)}::${host.toString(16)}`;
}

/** Options of {@link setup}. */
export interface SetupOptions {
  vars?: Partial<Env>;
  now?: () => number;
  /** Another facade's limits object (a second isolate of the same deployment). */
  limitsObjectName?: string;
  /** Another facade's Cognito (the same pool). */
  cognito?: FakeCognito;
}

/** A facade with a fake Cognito, fixed time and no real sleeping. */
export function setup(options: SetupOptions = {}) {
  const now = options.now ?? (() => NOW);
  const cognito = options.cognito ?? new FakeCognito(now);
  const sleeps: number[] = [];
  // Its own daily counts and client locks, as its own source has its own rate limit.
  const limitsObjectName = options.limitsObjectName ?? `test-${crypto.randomUUID()}`;
  const worker = createApp({
    fetch: cognito.fetch,
    now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    limitsObjectName,
  });
  // The facade's own pace of Cognito calls is off unless a test sets it: the clock stands still.
  const testEnv: Env = {
    ...env,
    COGNITO_CALLS_PER_SECOND: "0",
    COGNITO_CALLS_PER_SECOND_TOTAL: "0",
    ...options.vars,
  } as Env;
  // One source per setup, so that tests do not share the rate limit or the daily cap.
  const source = uniqueIp();
  const call = async (path: string, init: RequestInit = {}, ip = source) => {
    const headers = new Headers(init.headers);
    headers.set("CF-Connecting-IP", ip);
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(new URL(path, ISSUER), { ...init, headers }),
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  };
  const register = (body: unknown, headers: Record<string, string> = {}, ip?: string) =>
    call(
      "/register",
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      ip,
    );
  return { worker, cognito, sleeps, env: testEnv, call, register, source, limitsObjectName };
}

/** The Inspector registration of the issue's "Done when". */
export const INSPECTOR = {
  redirect_uris: ["http://localhost:6274/oauth/callback"],
  client_name: "Inspector",
  token_endpoint_auth_method: "none",
};

/** Expects an OAuth error response and returns its body. */
export async function expectOAuthError(
  response: Response,
  status: number,
  code: string,
  description?: string | RegExp,
) {
  const body = (await response.json()) as { error: string; error_description: string };
  expect({ status: response.status, error: body.error }).toEqual({ status, error: code });
  expect(response.headers.get("cache-control")).toBe("no-store");
  if (typeof description === "string") expect(body.error_description).toBe(description);
  else if (description) expect(body.error_description).toMatch(description);
  return body;
}

/** RFC 7636 Appendix B's verifier and its S256 challenge. */
export const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
export const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/** Cognito's managed login, at the origin of COGNITO_ISSUER. */
export const COGNITO_AUTHORIZE = `${new URL(COGNITO_ISSUER).origin}/oauth2/authorize`;
/** The front door's callback: the one redirect URI every app client holds. */
export const CALLBACK = `${ISSUER}/callback`;

/** The path and query of an authorization request; a parameter set to undefined is left out. */
export function authorizePath(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    response_type: "code",
    code_challenge: CHALLENGE,
    code_challenge_method: "S256",
    state: "client-state-123",
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) query.set(name, value);
  return `/authorize?${query}`;
}

/** The sealed transaction in a consent page's form. */
export function readTransaction(html: string): string {
  const value = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  if (value === undefined) throw new Error(`no consent form in: ${html.slice(0, 300)}`);
  return value;
}

/** One browser on the front door: `setup().call` with a cookie jar. */
export function browserOn(facade: ReturnType<typeof setup>) {
  const jar = new CookieJar();
  const send = async (path: string, init: RequestInit = {}, ip?: string) => {
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie) headers.set("cookie", cookie);
    const response = await facade.call(path, { ...init, headers }, ip);
    jar.store(response);
    return response;
  };
  return {
    jar,
    get: (path: string, ip?: string) => send(path, {}, ip),
    /** POSTs a form as the consent page does (same-origin `Origin`, unless `headers` says else). */
    postForm: (
      path: string,
      form: Record<string, string>,
      headers: Record<string, string> = {},
      ip?: string,
    ) =>
      send(
        path,
        {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: ISSUER,
            ...headers,
          },
          body: new URLSearchParams(form).toString(),
        },
        ip,
      ),
  };
}

/** A browser of {@link browserOn}. */
export type Browser = ReturnType<typeof browserOn>;

/** Registers a client and returns its registration response. */
export async function registerClient(
  facade: ReturnType<typeof setup>,
  body: Record<string, unknown>,
): Promise<{ client_id: string; client_secret?: string } & Record<string, unknown>> {
  const response = await facade.register(body);
  if (response.status !== 201)
    throw new Error(`registration refused: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * The way through the front door step by step: the authorization request, consent (approved),
 * Cognito's managed login (the fake's), and the callback relay. Returns the redirect to the
 * client, after checking each hop is what a browser would see.
 */
export async function signInThroughFrontDoor(
  facade: ReturnType<typeof setup>,
  browser: Browser,
  params: Record<string, string | undefined>,
): Promise<URL> {
  let response = await browser.get(authorizePath(params));
  if (response.status === 200) {
    const transaction = readTransaction(await response.text());
    response = await browser.postForm("/authorize/decision", { transaction, decision: "approve" });
  }
  const toCognito = response.headers.get("location") ?? "";
  if (response.status !== 302 || !toCognito.startsWith(COGNITO_AUTHORIZE))
    throw new Error(`expected a redirect to Cognito: ${response.status} ${toCognito}`);
  const callback = await browser.get(facade.cognito.signIn(toCognito));
  if (callback.status !== 302) throw new Error(`the callback answered ${callback.status}`);
  return new URL(callback.headers.get("location") ?? "");
}

/** Options of {@link seedLegacyRegistration}. */
export interface LegacyRegistrationOptions {
  metadata?: Partial<RegistrationRecord["metadata"]>;
  /** The record's relayCallbackUrl; absent: a registration made before the front door. */
  relayCallbackUrl?: string;
  clientIdIssuedAt?: number;
}

/**
 * A registration in the shape made before app clients were shared: its own app client in the
 * fake Cognito (its id the client id), and the record as that code wrote it. Returns the client
 * id, the secret (confidential) and the registration access token.
 */
export async function seedLegacyRegistration(
  facade: ReturnType<typeof setup>,
  options: LegacyRegistrationOptions = {},
) {
  const metadata: RegistrationRecord["metadata"] = {
    redirectUris: ["https://app.example.com/cb"],
    tokenEndpointAuthMethod: "none",
    grantTypes: ["authorization_code", "refresh_token"],
    responseTypes: ["code"],
    scope: "openid mcp-api/read mcp-api/write",
    clientName: "Old app",
    ...options.metadata,
  };
  const confidential = metadata.tokenEndpointAuthMethod !== "none";
  const clientCredentials = metadata.grantTypes.includes("client_credentials");
  const clientId = facade.cognito.seed({
    ...(confidential
      ? {}
      : { RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } }),
    ClientName: `dcr-${metadata.clientName ?? "client"}`,
    CallbackURLs: clientCredentials ? [] : [options.relayCallbackUrl ?? metadata.redirectUris[0]],
    AllowedOAuthFlows: clientCredentials ? ["client_credentials"] : ["code"],
    AllowedOAuthScopes: metadata.scope.split(" "),
  });
  const client = facade.cognito.clients.get(clientId);
  const clientSecret = confidential ? `secret-${clientId}-${"y".repeat(20)}` : undefined;
  if (client && clientSecret) client.ClientSecret = clientSecret;
  const registrationAccessToken = `legacy-token-${clientId}`;
  const issuedAt = options.clientIdIssuedAt ?? NOW / 1000;
  const record: RegistrationRecord = {
    clientId,
    registrationAccessTokenHash: await sha256Hex(registrationAccessToken),
    metadata,
    cognitoClientName: `dcr-${metadata.clientName ?? "client"}`,
    clientIdIssuedAt: issuedAt,
    lastUsedAt: issuedAt,
    tokenIssuedAt: 0,
    ...(options.relayCallbackUrl !== undefined
      ? { relayCallbackUrl: options.relayCallbackUrl }
      : {}),
  };
  await writeRegistration(facade.env.REGISTRATIONS, record);
  return { clientId, clientSecret, registrationAccessToken, record };
}

/** How many of these registration responses' clients are stored now. */
export async function storedCount(responses: Response[]): Promise<number> {
  let count = 0;
  for (const response of responses) {
    if (response.status !== 201) continue;
    const { client_id } = (await response.clone().json()) as { client_id: string };
    if ((await env.REGISTRATIONS.get(`client:${client_id}`)) !== null) count++;
  }
  return count;
}

/** The test KV namespace, except that writes of registration records fail. */
export function failingClientWrites(): KVNamespace {
  return new Proxy(env.REGISTRATIONS, {
    get(target, property) {
      if (property === "put")
        return async (key: string, ...rest: unknown[]) => {
          if (key.startsWith("client:")) throw new Error("KV put failed");
          return (target.put as (...a: unknown[]) => Promise<void>)(key, ...rest);
        };
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
