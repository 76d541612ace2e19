import type { CognitoClientConfig } from "../cognito/types";
import type { RegistrationRecord } from "../storage/records";
import { type ClientMetadata, toCognitoClientName } from "./client-metadata";

/** Settings of every app client the facade creates. */
export interface CognitoClientOptions {
  /** Access-token lifetime (Cognito allows 5 minutes to 1 day). */
  accessTokenMinutes: number;
}

/** The front door's callback, the one redirect URI every facade-made app client holds. */
export function relayCallbackUrl(issuer: string): string {
  return `${issuer}/callback`;
}

/**
 * The full app-client configuration for registered metadata: Create and every Update send all of
 * it, as UpdateUserPoolClient resets what it is not sent. The client's own redirect URIs never
 * reach Cognito: it holds only the front door's callback, so no code goes anywhere unchecked.
 */
export function toCognitoClientConfig(
  metadata: Pick<ClientMetadata, "grantTypes" | "scope" | "tokenEndpointAuthMethod">,
  cognitoClientName: string,
  callbackUrl: string,
  options: CognitoClientOptions,
): CognitoClientConfig {
  const clientCredentials = metadata.grantTypes.includes("client_credentials");
  const config: CognitoClientConfig = {
    ClientName: cognitoClientName,
    CallbackURLs: clientCredentials ? [] : [callbackUrl],
    AllowedOAuthFlows: clientCredentials ? ["client_credentials"] : ["code"],
    AllowedOAuthScopes: metadata.scope.split(" "),
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ["COGNITO"],
    // Only the hosted OAuth flows: no direct username/password API sign-in.
    ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
    PreventUserExistenceErrors: "ENABLED",
    EnableTokenRevocation: true,
    // Short-lived: per-user revocation (sign-out, a disabled user) never reaches mcp-rs, so the
    // access token's lifetime is the window in which it still works.
    AccessTokenValidity: options.accessTokenMinutes,
    TokenValidityUnits: { AccessToken: "minutes" },
  };
  // OAuth 2.1 §4.3.1: refresh tokens of public clients rotate.
  if (metadata.tokenEndpointAuthMethod === "none")
    config.RefreshTokenRotation = { Feature: "ENABLED", RetryGracePeriodSeconds: 0 };
  return config;
}

/**
 * The app-client configuration of a registration that has its own app client (made before
 * registrations shared them), with `callbackUrl` as its callback.
 */
export function toRecordCognitoConfig(
  record: RegistrationRecord,
  callbackUrl: string,
  options: CognitoClientOptions,
): CognitoClientConfig {
  return toCognitoClientConfig(
    record.metadata,
    record.cognitoClientName ?? toCognitoClientName(record.metadata.clientName),
    callbackUrl,
    options,
  );
}
