// Deciding an authorization request: pure functions of the query and the client, no I/O.
import type { OAuthErrorCode } from "@mcp-cognito-workers/http";
import { matchRedirectUri } from "./redirect-match";

/** A client as the front door sees it: a DCR registration or a CIMD document. */
export interface FrontDoorClient {
  /** What the client sends as `client_id`: a registration's id or its CIMD URL. */
  clientId: string;
  kind: "dcr" | "cimd";
  redirectUris: string[];
  /** Space-separated ceiling of what it may ask for. */
  scope: string;
  clientName?: string;
  tokenEndpointAuthMethod: "none" | "client_secret_basic" | "client_secret_post";
  grantTypes: string[];
}

/** What a valid authorization request asks for. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether `redirect_uri` was sent (then the token request must repeat it). */
  redirectUriGiven: boolean;
  state?: string;
  codeChallenge: string;
  /** Space-separated, `offline_access` dropped. */
  scope: string;
  resource?: string;
  nonce?: string;
  prompt?: string;
}

/** An error shown as a page: the redirect URI is not trusted (yet). */
export interface PageError {
  kind: "page";
  message: string;
}

/** An error sent back to the client's redirect URI. @see RFC 6749 §4.1.2.1 */
export interface RedirectError {
  kind: "redirect";
  redirectUri: string;
  state?: string;
  error: OAuthErrorCode;
  description: string;
}

/** `offline_access` is never forwarded: Cognito refuses it and issues refresh tokens anyway. */
export const DROPPED_SCOPES: ReadonlySet<string> = new Set(["offline_access"]);
/** Limits on values the front door carries through its sealed state. */
export const MAX_STATE_LENGTH = 1024;
export const MAX_NONCE_LENGTH = 512;
export const MAX_RESOURCE_LENGTH = 2048;

const PARAMS = [
  "client_id",
  "redirect_uri",
  "response_type",
  "state",
  "scope",
  "code_challenge",
  "code_challenge_method",
  "resource",
  "nonce",
  "prompt",
  "request",
  "request_uri",
] as const;

type Params = Partial<Record<(typeof PARAMS)[number], string>>;

/** Reads the query's known parameters, and which of them were repeated. */
export function readAuthorizeParams(query: URLSearchParams): {
  params: Params;
  repeated: string[];
} {
  const params: Params = {};
  const repeated: string[] = [];
  for (const name of PARAMS) {
    const all = query.getAll(name);
    if (all.length > 1) repeated.push(name);
    if (all.length > 0) params[name] = all[0];
  }
  return { params, repeated };
}

/** The client_id of a request, or the page error for a missing or repeated one. */
export function readClientId(query: URLSearchParams): string | PageError {
  const ids = query.getAll("client_id");
  if (ids.length !== 1 || ids[0] === "")
    return {
      kind: "page",
      message:
        ids.length > 1 ? "client_id must not be repeated." : "The request names no client_id.",
    };
  return ids[0] as string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Validates an authorization request for a known client: the redirect URI first (until it is
 * trusted, errors are pages), then everything else (errors redirect with `error` and `state`).
 * @see OAuth 2.1 §4.1.1, RFC 7636 §4.3, RFC 8707 §2
 */
export function validateAuthorizeRequest(
  query: URLSearchParams,
  client: FrontDoorClient,
  defaultScopes: readonly string[],
): AuthorizationRequest | PageError | RedirectError {
  const { params, repeated } = readAuthorizeParams(query);
  if (repeated.includes("redirect_uri"))
    return { kind: "page", message: "redirect_uri must not be repeated." };
  if (!client.grantTypes.includes("authorization_code"))
    return {
      kind: "page",
      message: "This client is not registered for the authorization code flow.",
    };
  const redirectUri = matchRedirectUri(client.redirectUris, params.redirect_uri);
  if (redirectUri === undefined)
    return {
      kind: "page",
      message:
        params.redirect_uri === undefined
          ? "The request names no redirect_uri, and the client has more than one."
          : "The redirect_uri is not registered for this client.",
    };
  const state =
    params.state !== undefined &&
    params.state.length <= MAX_STATE_LENGTH &&
    !repeated.includes("state")
      ? params.state
      : undefined;
  const fail = (error: OAuthErrorCode, description: string): RedirectError => ({
    kind: "redirect",
    redirectUri,
    ...(state !== undefined ? { state } : {}),
    error,
    description,
  });
  if (repeated.length > 0) return fail("invalid_request", `"${repeated[0]}" must not be repeated`);
  if (params.state !== undefined && params.state.length > MAX_STATE_LENGTH)
    return fail("invalid_request", `"state" must be at most ${MAX_STATE_LENGTH} characters`);
  if (params.request !== undefined || params.request_uri !== undefined)
    return fail("invalid_request", "request objects are not supported");
  if (params.response_type === undefined)
    return fail("invalid_request", '"response_type" is required');
  if (params.response_type !== "code")
    return fail("unsupported_response_type", 'only "response_type=code" is supported');
  if (params.code_challenge === undefined)
    return fail("invalid_request", '"code_challenge" is required (PKCE with S256)');
  if (params.code_challenge_method !== "S256")
    return fail("invalid_request", '"code_challenge_method" must be S256');
  if (!/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge))
    return fail("invalid_request", '"code_challenge" must be a base64url SHA-256 (43 characters)');

  const allowed = new Set(client.scope.split(" "));
  let scopes: string[] = [];
  if (params.scope !== undefined && params.scope.trim() !== "") {
    scopes = [
      ...new Set(params.scope.split(" ").filter((s) => s !== "" && !DROPPED_SCOPES.has(s))),
    ];
    const refused = scopes.find((scope) => !allowed.has(scope));
    if (refused !== undefined)
      return fail(
        "invalid_scope",
        `the scope ${JSON.stringify(refused)} is not allowed for this client`,
      );
  }
  // Never an empty scope: Cognito would grant every scope of the app client, and the consent
  // page (and a remembered approval) would have covered none of them.
  if (scopes.length === 0) scopes = defaultScopes.filter((scope) => allowed.has(scope));
  if (scopes.length === 0) scopes = [...allowed];

  let resource: string | undefined;
  if (params.resource !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(params.resource);
    } catch {
      url = undefined;
    }
    if (!url || params.resource.length > MAX_RESOURCE_LENGTH || params.resource.includes("#"))
      return fail("invalid_target", '"resource" must be an absolute URI without a fragment');
    resource = params.resource;
  }
  if (
    params.nonce !== undefined &&
    (params.nonce.length > MAX_NONCE_LENGTH || CONTROL.test(params.nonce))
  )
    return fail(
      "invalid_request",
      `"nonce" must be at most ${MAX_NONCE_LENGTH} printable characters`,
    );

  return {
    clientId: client.clientId,
    redirectUri,
    redirectUriGiven: params.redirect_uri !== undefined,
    ...(state !== undefined ? { state } : {}),
    codeChallenge: params.code_challenge,
    scope: scopes.join(" "),
    ...(resource !== undefined ? { resource } : {}),
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    ...(params.prompt !== undefined ? { prompt: params.prompt } : {}),
  };
}

/** Parameters of an authorization response; `iss` always. @see RFC 6749 §4.1.2, RFC 9207 §2 */
export function buildRedirect(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}
