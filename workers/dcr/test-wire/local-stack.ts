import { randomBytes } from "node:crypto";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import {
  authorizeThroughFrontDoor,
  type CookieJar,
  pkce,
} from "@mcp-cognito-workers/test-support/sign-in";
import {
  type StartLocalWorkerOptions,
  startLocalWorker,
} from "@mcp-cognito-workers/test-support/stack";
import * as wrangler from "wrangler";

/**
 * Starts workers/dcr on 127.0.0.1 (on `port`, a free one when absent), its variables overridden
 * by `vars`; `dispose()` stops it.
 */
export async function startDcr(options: Partial<StartLocalWorkerOptions> = {}) {
  const port = options.port ?? (await findFreePort());
  const dispose = await startLocalWorker(wrangler, "dcr", { ...options, port });
  return { origin: `http://127.0.0.1:${port}`, dispose };
}

/** The payload of a JWT, unverified (the tests read what Cognito put in it). */
export function readJwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());
}

/** Options of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** The front door's issuer: the request goes to `<issuer>/authorize`. */
  issuer: string;
  clientId: string;
  /** Omitted from the request when undefined. */
  redirectUri: string | undefined;
  scope?: string;
  /** RFC 8707 resource indicator. */
  resource?: string;
  /** Fresh when absent. */
  state?: string;
  /** The S256 challenge; a fresh PKCE pair when absent. */
  codeChallenge?: string;
  /** More query parameters (`prompt`, or ones a test breaks on purpose). */
  extra?: Record<string, string>;
}

/** A front-door authorization URL for the code flow with PKCE, and what it was built from. */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions) {
  const pair = options.codeChallenge === undefined ? pkce() : undefined;
  const state = options.state ?? randomBytes(16).toString("base64url");
  const url = new URL("/authorize", options.issuer);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", options.clientId);
  if (options.redirectUri !== undefined) url.searchParams.set("redirect_uri", options.redirectUri);
  if (options.scope !== undefined) url.searchParams.set("scope", options.scope);
  if (options.resource !== undefined) url.searchParams.set("resource", options.resource);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", options.codeChallenge ?? pair?.challenge ?? "");
  url.searchParams.set("code_challenge_method", "S256");
  for (const [name, value] of Object.entries(options.extra ?? {}))
    url.searchParams.set(name, value);
  return { url: url.href, state, verifier: pair?.verifier };
}

/** Options of {@link signInWithPkce}. */
export interface SignInOptions extends Omit<AuthorizationUrlOptions, "codeChallenge" | "state"> {
  username: string;
  password: string;
  /** The browser; a new one when absent. */
  jar?: CookieJar;
  /** Headers sent with every request to the front door (e.g. `CF-Connecting-IP`). */
  headers?: Record<string, string>;
}

/**
 * The browser part of the code flow, through the front door as a person walks it: authorize →
 * consent (approved) → managed login → the callback relay → the client's redirect URI. Checks
 * that the answer went to the redirect URI with the same `state` and the front door's `iss`;
 * returns the code, the PKCE verifier and the walk.
 */
export async function signInWithPkce(options: SignInOptions) {
  const { username, password, jar, headers, ...request } = options;
  const { url, state, verifier } = buildAuthorizationUrl(request);
  const walk = await authorizeThroughFrontDoor(url, {
    username,
    password,
    ...(jar ? { jar } : {}),
    ...(headers ? { headers } : {}),
  });
  const { location } = walk;
  const expected = options.redirectUri;
  if (expected !== undefined && `${location.origin}${location.pathname}` !== expected)
    throw new Error(`unexpected redirect to ${location}`);
  if (location.searchParams.get("state") !== state) throw new Error("state came back changed");
  if (location.searchParams.get("iss") !== options.issuer)
    throw new Error(`iss is ${location.searchParams.get("iss")}, not ${options.issuer}`);
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier: verifier as string, ...walk };
}

/** Options of {@link requestToken}. */
export interface TokenRequestOptions {
  /** `Authorization: Basic` credentials (form-encoded id and secret, RFC 6749 §2.3.1). */
  basic?: { clientId: string; clientSecret: string };
  /** More request headers. */
  headers?: Record<string, string>;
}

/** POSTs a form to the front door's `/token` (or `path`); returns the raw response. */
export function requestToken(
  issuer: string,
  form: Record<string, string>,
  options: TokenRequestOptions & { path?: string } = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    ...options.headers,
  };
  if (options.basic) {
    const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    headers.authorization = `Basic ${Buffer.from(
      `${encode(options.basic.clientId)}:${encode(options.basic.clientSecret)}`,
    ).toString("base64")}`;
  }
  return fetch(new URL(options.path ?? "/token", issuer), {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
}
