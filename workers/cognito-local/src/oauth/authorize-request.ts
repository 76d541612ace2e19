import type { FeaturePlan } from "../config/pool-template";
import type { UserPoolClient } from "../store/records";

/** A checked request to `/oauth2/authorize` for the code flow. */
export interface AuthorizeRequest {
  client: UserPoolClient;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  nonce: string | null;
  resource: string | null;
  prompt: string | null;
  loginHint: string | null;
}

/** Why an authorization request failed, and how the failure reaches the user. */
export type AuthorizeFailure =
  /** The client or its redirect URI is unknown: never redirect, show a page. */
  | { kind: "page"; message: string }
  /** The redirect URI is trusted: send the error back to it (RFC 6749 §4.1.2.1). */
  | {
      kind: "redirect";
      redirectUri: string;
      state: string | null;
      error: string;
      description: string;
    };

/** What the checks need to know beyond the request. */
export interface AuthorizeContext {
  lookupClient(clientId: string): UserPoolClient | undefined;
  featurePlan: FeaturePlan;
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const SINGLE_VALUED = [
  "client_id",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
  "resource",
  "prompt",
  "login_hint",
] as const;

/**
 * Checks an authorization request as Cognito's managed login does: client and redirect URI first
 * (failures are shown, not redirected), then the rest (failures redirect with `error`).
 */
export function checkAuthorizeRequest(
  params: URLSearchParams,
  context: AuthorizeContext,
): AuthorizeRequest | AuthorizeFailure {
  const clientId = params.get("client_id");
  if (!clientId) return page("Required parameter client_id is missing.");
  const client = context.lookupClient(clientId);
  if (client === undefined) return page("The client_id is not a client of this user pool.");
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return page("Required parameter redirect_uri is missing.");
  if (params.getAll("redirect_uri").length > 1 || !client.CallbackURLs?.includes(redirectUri)) {
    return page("redirect_mismatch: the redirect_uri is not one of the client's callback URLs.");
  }

  const state = params.get("state");
  const fail = (error: string, description: string): AuthorizeFailure => ({
    kind: "redirect",
    redirectUri,
    state,
    error,
    description,
  });

  const repeated = SINGLE_VALUED.find((name) => params.getAll(name).length > 1);
  if (repeated) return fail("invalid_request", `${repeated} must not be repeated`);
  if (!client.AllowedOAuthFlowsUserPoolClient) {
    return fail("unauthorized_client", "The client is not allowed to use OAuth flows");
  }
  const responseType = params.get("response_type");
  if (!responseType) return fail("invalid_request", "response_type is missing");
  if (responseType !== "code" && responseType !== "token") {
    return fail("unsupported_response_type", "response_type must be code");
  }
  const flow = responseType === "code" ? "code" : "implicit";
  if (!client.AllowedOAuthFlows?.includes(flow)) {
    return fail("unauthorized_client", `The client is not allowed the ${flow} flow`);
  }
  if (flow === "implicit") {
    return fail(
      "unsupported_response_type",
      "The local stand-in does not emulate the implicit grant",
    );
  }

  const codeChallenge = params.get("code_challenge");
  const method = params.get("code_challenge_method");
  if (codeChallenge !== null || method !== null) {
    if (method !== "S256") return fail("invalid_request", "code_challenge_method must be S256");
    if (codeChallenge === null || !PKCE_CHALLENGE.test(codeChallenge)) {
      return fail(
        "invalid_request",
        "code_challenge must be the base64url SHA-256 of the verifier",
      );
    }
  }

  const allowed = client.AllowedOAuthScopes ?? [];
  const asked = (params.get("scope") ?? "").split(" ").filter((s) => s !== "");
  const unknown = asked.filter((scope) => !allowed.includes(scope));
  if (unknown.length > 0) return fail("invalid_scope", `Scope not allowed: ${unknown.join(" ")}`);
  const scopes = asked.length > 0 ? [...new Set(asked)] : allowed;
  if (scopes.length === 0) return fail("invalid_scope", "The client has no scopes");

  const resource = params.get("resource");
  if (resource !== null) {
    if (context.featurePlan === "LITE") {
      return fail("invalid_request", "resource binding needs the Essentials or Plus feature plan");
    }
    if (!isValidResource(resource)) {
      return fail(
        "invalid_request",
        "resource must be an absolute https, localhost or custom-scheme URI without a fragment",
      );
    }
  }

  return {
    client,
    redirectUri,
    scopes,
    state,
    codeChallenge,
    nonce: params.get("nonce"),
    resource,
    prompt: params.get("prompt"),
    loginHint: params.get("login_hint"),
  };
}

/** Where the error of a failed request goes: its redirect URI with `error`, `error_description`, `state`. */
export function buildErrorRedirect(
  failure: Extract<AuthorizeFailure, { kind: "redirect" }>,
): string {
  const url = new URL(failure.redirectUri);
  url.searchParams.set("error", failure.error);
  url.searchParams.set("error_description", failure.description);
  if (failure.state !== null) url.searchParams.set("state", failure.state);
  return url.toString();
}

/** RFC 8707 §2: an absolute URI without a fragment; Cognito takes https, http on localhost, or a custom scheme. */
export function isValidResource(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== "" || value.includes("#")) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol === "http:") return url.hostname === "localhost";
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol);
}

function page(message: string): AuthorizeFailure {
  return { kind: "page", message };
}
