import * as oauth from "oauth4webapi";
import { toOAuthClient } from "./client-auth";
import { OAuthClientError } from "./errors";
import { type OAuthHttpOptions, oauthRequestOptions } from "./http";
import type { ClientRegistration } from "./registration";

/** What must survive the redirect to the authorization server: kept server-side, per session. */
export interface PendingAuthorization {
  issuer: string;
  clientId: string;
  redirectUri: string;
  resource: string;
  scopes: string[];
  state: string;
  codeVerifier: string;
  nonce?: string;
}

/** The authorization request to send the browser to, and what to keep for the callback. */
export interface AuthorizationRequest {
  url: URL;
  pending: PendingAuthorization;
}

/** Options of {@link buildAuthorizationRequest}. */
export interface AuthorizationRequestOptions {
  redirectUri: string;
  resource: string;
  scopes: string[];
}

/**
 * Builds an authorization request with PKCE S256, a fresh `state`, a `nonce` when `openid` is
 * asked for, and the RFC 8707 `resource`.
 * @see RFC 6749 §4.1.1, RFC 7636 §4, RFC 8707 §2, OIDC Core §3.1.2.1
 */
export async function buildAuthorizationRequest(
  as: oauth.AuthorizationServer,
  registration: ClientRegistration,
  options: AuthorizationRequestOptions,
): Promise<AuthorizationRequest> {
  if (!as.authorization_endpoint) {
    throw new TypeError("the authorization server has no authorization_endpoint");
  }
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = options.scopes.includes("openid") ? oauth.generateRandomNonce() : undefined;
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", registration.clientId);
  url.searchParams.set("redirect_uri", options.redirectUri);
  if (options.scopes.length > 0) url.searchParams.set("scope", options.scopes.join(" "));
  url.searchParams.set("state", state);
  if (nonce) url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("resource", options.resource);
  return {
    url,
    pending: {
      issuer: as.issuer,
      clientId: registration.clientId,
      redirectUri: options.redirectUri,
      resource: options.resource,
      scopes: options.scopes,
      state,
      codeVerifier,
      ...(nonce ? { nonce } : {}),
    },
  };
}

/** Tokens as the session keeps them; `expiresAt` in epoch milliseconds. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  scope?: string;
  /** The ID token's subject and display claims, when one was issued and checked. */
  user?: { sub: string; username?: string; email?: string };
}

/** Options of the token-endpoint calls: network plus an injected clock. */
export interface TokenOptions extends OAuthHttpOptions {
  now?: () => number;
}

function toTokenSet(
  response: oauth.TokenEndpointResponse,
  now: number,
  previous?: TokenSet,
): TokenSet {
  const claims = oauth.getValidatedIdTokenClaims(response);
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const user = claims
    ? {
        sub: claims.sub,
        ...(typeof claims["cognito:username"] === "string"
          ? { username: claims["cognito:username"] }
          : {}),
        ...(typeof claims.email === "string" ? { email: claims.email } : {}),
      }
    : previous?.user;
  return {
    accessToken: response.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(typeof response.expires_in === "number"
      ? { expiresAt: now + response.expires_in * 1000 }
      : {}),
    ...(response.scope ? { scope: response.scope } : {}),
    ...(user ? { user } : {}),
  };
}

/**
 * Handles the redirect back: checks `state` (and RFC 9207 `iss` when the server advertises it,
 * recording the check in the trace), exchanges the code with the PKCE verifier and `resource`,
 * and checks the ID token's `nonce`.
 * @see RFC 6749 §4.1.2-4.1.4, RFC 9207 §2.4, RFC 8707 §2.2
 */
export async function processCallback(
  as: oauth.AuthorizationServer,
  registration: ClientRegistration,
  pending: PendingAuthorization,
  callbackUrl: URL,
  options: TokenOptions = {},
): Promise<TokenSet> {
  if (pending.issuer !== as.issuer || pending.clientId !== registration.clientId) {
    throw new OAuthClientError("state_mismatch", "the pending authorization is for another server");
  }
  const { client, clientAuth } = toOAuthClient(registration);
  // Throws AuthorizationResponseError for an error response, OperationProcessingError for a
  // wrong or missing state or iss.
  const parameters = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
  // Reached only when `iss` was absent and not required, or equal to the issuer.
  const iss = callbackUrl.searchParams.get("iss");
  options.trace?.({
    step: iss === null ? "iss not sent (not advertised)" : "iss checked",
    url: iss ?? as.issuer,
    fields: {
      authorization_response_iss_parameter_supported: String(
        as.authorization_response_iss_parameter_supported === true,
      ),
    },
  });
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth,
    parameters,
    pending.redirectUri,
    pending.codeVerifier,
    {
      additionalParameters: { resource: pending.resource },
      ...oauthRequestOptions(as.token_endpoint, options),
    },
  );
  options.trace?.({ step: "token request", url: as.token_endpoint ?? "", status: response.status });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce ?? oauth.expectNoNonce,
    requireIdToken: pending.nonce !== undefined,
  });
  return toTokenSet(tokens, (options.now ?? Date.now)());
}

/**
 * Refreshes the tokens (with `resource`), keeping the old refresh token when none is returned.
 * @see RFC 6749 §6, RFC 8707 §2.2
 */
export async function refreshTokens(
  as: oauth.AuthorizationServer,
  registration: ClientRegistration,
  tokens: TokenSet,
  resource: string,
  options: TokenOptions = {},
): Promise<TokenSet> {
  if (!tokens.refreshToken) throw new TypeError("no refresh token to use");
  const { client, clientAuth } = toOAuthClient(registration);
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    clientAuth,
    tokens.refreshToken,
    {
      additionalParameters: { resource },
      ...oauthRequestOptions(as.token_endpoint, options),
    },
  );
  options.trace?.({ step: "refresh", url: as.token_endpoint ?? "", status: response.status });
  const refreshed = await oauth.processRefreshTokenResponse(as, client, response);
  return toTokenSet(refreshed, (options.now ?? Date.now)(), tokens);
}

/** Whether the access token expires within `skewSeconds` (refresh before it does). */
export function isExpiring(tokens: TokenSet, now: number, skewSeconds = 60): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - skewSeconds * 1000 <= now;
}
