import { env, SELF } from "cloudflare:test";
import {
  authorizeThroughFrontDoor,
  CookieJar as BrowserCookieJar,
} from "@mcp-cognito-workers/test-support/browser";
import { decodeJwt as decodePayload, decodeProtectedHeader } from "jose";
import { call, POOL_ID, setLocalSettings } from "./idp-helpers";

export { POOL_ID, setLocalSettings };

/** The stand-in's IdP host in tests (its `PUBLIC_ORIGIN`): IdP API, issuer, discovery, JWKS. */
export const ORIGIN = env.PUBLIC_ORIGIN;
/** Its managed-login domain, another host (its `LOGIN_ORIGIN`): OAuth endpoints, sign-in pages. */
export const LOGIN_ORIGIN = env.LOGIN_ORIGIN;
export const ISSUER = `${ORIGIN}/${POOL_ID}`;
export const STATIC_CLIENT = { id: env.STATIC_CLIENT_ID, secret: env.STATIC_CLIENT_SECRET };
export const STATIC_REDIRECT = "http://localhost:3000/callback";
export const DEMO = { username: env.DEMO_USERNAME, password: env.DEMO_PASSWORD };

/** Calls the IdP JSON API with a correctly signed request. */
export const idp = call;

/** Creates an app client through the IdP API; fails the test if Cognito would refuse it. */
export async function createClient(
  properties: object,
): Promise<{ ClientId: string; ClientSecret?: string }> {
  const { status, body } = await idp<{
    UserPoolClient: { ClientId: string; ClientSecret?: string };
  }>("CreateUserPoolClient", { UserPoolId: POOL_ID, ClientName: "test-client", ...properties });
  if (status !== 200) throw new Error(`CreateUserPoolClient failed: ${JSON.stringify(body)}`);
  return body.UserPoolClient;
}

/** A public code-flow client with the resource-server scopes, as an MCP client registers. */
export function createPublicClient(redirectUri = "http://127.0.0.1:7777/cb") {
  return createClient({
    CallbackURLs: [redirectUri],
    LogoutURLs: ["http://127.0.0.1:7777/bye"],
    AllowedOAuthFlows: ["code"],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ["openid", "email", "mcp-api/read", "mcp-api/write"],
    SupportedIdentityProviders: ["COGNITO"],
  });
}

/** A PKCE pair (RFC 7636, S256). */
export async function pkce() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** One browser's cookies, its requests sent to the worker under test. */
export class CookieJar extends BrowserCookieJar {
  constructor() {
    super({ fetch: (url, init) => SELF.fetch(url, init) });
  }
}

/** GET with manual redirects and the jar's cookies, as a browser would send them. */
export async function browserGet(url: string, jar: CookieJar): Promise<Response> {
  const response = await SELF.fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.store(response);
  return response;
}

/** Reads the sign-in form's action and CSRF token out of the login page. */
export function readLoginForm(html: string): { action: string; csrf: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !csrf) throw new Error("no sign-in form on the page");
  return { action: action.replace(/&amp;/g, "&"), csrf };
}

/** Posts a form with the jar's cookies; manual redirects. */
export async function browserPost(url: string, jar: CookieJar, fields: Record<string, string>) {
  const response = await SELF.fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  jar.store(response);
  return response;
}

/** Options of {@link signIn}. */
export interface SignInOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  resource?: string;
  nonce?: string;
  username?: string;
  password?: string;
  jar?: CookieJar;
}

/**
 * Runs the browser part of the code flow as the shared sign-in walks it: authorize → login page →
 * form post → redirect with the code. Returns the code, the PKCE verifier and the state.
 */
export async function signIn(options: SignInOptions = {}) {
  const jar = options.jar ?? new CookieJar();
  const { verifier, challenge } = await pkce();
  const state = crypto.randomUUID();
  const redirectUri = options.redirectUri ?? STATIC_REDIRECT;
  const params = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId ?? STATIC_CLIENT.id,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  if (options.scope) params.set("scope", options.scope);
  if (options.resource) params.set("resource", options.resource);
  if (options.nonce) params.set("nonce", options.nonce);
  const { location } = await authorizeThroughFrontDoor(
    `${LOGIN_ORIGIN}/oauth2/authorize?${params}`,
    {
      username: options.username ?? DEMO.username,
      password: options.password ?? DEMO.password,
      jar,
    },
  );
  if (!location.toString().startsWith(redirectUri))
    throw new Error(`unexpected redirect to ${location}`);
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  expectState(location, state);
  return { code, verifier, state, jar, redirectUri };
}

function expectState(location: URL, state: string): void {
  if (location.searchParams.get("state") !== state)
    throw new Error("state was not returned unchanged");
}

/** Posts to the token endpoint with the static client's Basic credentials unless told otherwise. */
export async function tokenRequest(
  fields: Record<string, string>,
  auth: { basic?: [string, string] } | "none" = { basic: [STATIC_CLIENT.id, STATIC_CLIENT.secret] },
) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth !== "none" && auth.basic) headers.authorization = `Basic ${btoa(auth.basic.join(":"))}`;
  const response = await SELF.fetch(`${LOGIN_ORIGIN}/oauth2/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields).toString(),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

/** Decodes a JWT's header and payload without verifying (tests verify separately). */
export function decodeJwt(token: string) {
  return { header: decodeProtectedHeader(token), payload: decodePayload(token) };
}
