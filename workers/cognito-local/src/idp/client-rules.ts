import { isLoopbackHost } from "@mcp-cognito-workers/http";
import { isCustomScope, listPoolScopes, type PoolTemplate } from "../config/pool-template";
import type { OAuthFlow, TimeUnit, UserPoolClient } from "../store/records";
import { CognitoError } from "./cognito-error";
import { EXPLICIT_AUTH_FLOWS } from "./shapes";

/** The only identity provider of the stand-in's pool. */
export const COGNITO_PROVIDER = "COGNITO";

/** Hosts to which an `http://` callback or sign-out URL may point. */
const LEGACY_AUTH_FLOWS: ReadonlySet<string> = new Set(EXPLICIT_AUTH_FLOWS.slice(0, 3));
const SECONDS_PER: Record<TimeUnit, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
};
/** Allowed lifetimes in seconds, and the unit a bare number is in. */
const VALIDITY_RULES = {
  AccessToken: { field: "AccessTokenValidity", unit: "hours", min: 5 * 60, max: 86_400 },
  IdToken: { field: "IdTokenValidity", unit: "hours", min: 5 * 60, max: 86_400 },
  RefreshToken: { field: "RefreshTokenValidity", unit: "days", min: 60 * 60, max: 3650 * 86_400 },
} as const;

/**
 * Cognito's messages for the app-client rules that are not plain model constraints. Those marked
 * UNVERIFIED were not seen from a live pool; they are the stand-in's choice.
 */
export const CLIENT_MESSAGES = {
  httpUrl: (url: string) => `${url} cannot use the HTTP protocol.`,
  /** UNVERIFIED wording. */
  fragmentUrl: (url: string) => `${url} cannot contain a fragment.`,
  /** UNVERIFIED wording. */
  invalidUrl: (url: string) => `${url} is not a valid absolute URL.`,
  /** UNVERIFIED wording. */
  defaultRedirectNotInCallbacks: "DefaultRedirectURI must be one of the CallbackURLs.",
  tokenValidityRange: "Invalid range for token validity.",
  unknownProvider: (provider: string, userPoolId: string) =>
    `The provider ${provider} does not exist for User Pool ${userPoolId}`,
  /** UNVERIFIED wording. */
  legacyAuthFlows:
    "ExplicitAuthFlows can not combine the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with values that begin with ALLOW_.",
  /** UNVERIFIED wording. */
  secretTwice: "You cannot specify both GenerateSecret as true and provide a ClientSecret value.",
  clientCredentialsAlone:
    "client_credentials flow can not be selected along with code flow or implicit flow.",
  clientCredentialsSecret:
    "client_credentials flow can not be selected if client does not have a client secret.",
  /** Wording seen from a live pool; the error type (InvalidOAuthFlowException) is UNVERIFIED. */
  clientCredentialsScope: (scope: string) =>
    `${scope} is not supported with client_credentials flow`,
  callbacksRequired: "CallbackUrls can not be empty when code flow or implicit flow is selected",
  /** Wording seen from a live pool; the error type (InvalidParameterException) is UNVERIFIED. */
  oauthNeedsFlowsAndScopes:
    "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
  unknownScope: (scope: string) => `Invalid scope requested: ${scope}`,
  poolNotFound: (userPoolId: string) => `User pool ${userPoolId} does not exist.`,
} as const;

/** A Create or Update request once read, with an empty list as none. */
export type ClientRequest = Partial<
  Omit<UserPoolClient, "UserPoolId" | "ClientId" | "CreationDate" | "LastModifiedDate">
> & { UserPoolId: string; GenerateSecret?: boolean };

/** What the rules need to know besides the request. */
export interface ClientRuleContext {
  template: PoolTemplate;
  userPoolId: string;
  /** Whether the client has (or gets) a secret. */
  hasSecret: boolean;
}

/**
 * Checks an app client's configuration against the rules Cognito enforces beyond the service
 * model's constraints, in Cognito's order; throws {@link CognitoError}. `RefreshTokenValidity`
 * and `TokenValidityUnits` are those the client will have (defaults applied).
 */
export function checkClientRules(request: ClientRequest, context: ClientRuleContext): void {
  checkIdentityProviders(request.SupportedIdentityProviders, context.userPoolId);
  checkExplicitAuthFlows(request.ExplicitAuthFlows);
  const callbackURLs = request.CallbackURLs;
  for (const url of [...(callbackURLs ?? []), ...(request.LogoutURLs ?? [])]) checkRedirectUrl(url);
  if (request.DefaultRedirectURI !== undefined) {
    checkRedirectUrl(request.DefaultRedirectURI);
    if (!callbackURLs?.includes(request.DefaultRedirectURI)) {
      throw invalidParameter(CLIENT_MESSAGES.defaultRedirectNotInCallbacks);
    }
  }
  checkTokenValidity(request, request.TokenValidityUnits ?? {});
  const flows = request.AllowedOAuthFlows;
  const scopes = request.AllowedOAuthScopes;
  checkOAuthFlows(flows, { hasSecret: context.hasSecret, callbackURLs });
  if (
    request.AllowedOAuthFlowsUserPoolClient === true &&
    (flows === undefined || scopes === undefined)
  ) {
    throw invalidParameter(CLIENT_MESSAGES.oauthNeedsFlowsAndScopes);
  }
  checkScopes(scopes, flows, context.template);
}

function checkIdentityProviders(providers: string[] | undefined, userPoolId: string): void {
  for (const provider of providers ?? []) {
    if (provider !== COGNITO_PROVIDER) {
      throw invalidParameter(CLIENT_MESSAGES.unknownProvider(provider, userPoolId));
    }
  }
}

function checkExplicitAuthFlows(flows: string[] | undefined): void {
  if (flows === undefined) return;
  const legacy = flows.some((flow) => LEGACY_AUTH_FLOWS.has(flow));
  const current = flows.some((flow) => flow.startsWith("ALLOW_"));
  if (legacy && current) throw invalidParameter(CLIENT_MESSAGES.legacyAuthFlows);
}

/** @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html (CallbackURLs) */
function checkRedirectUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidParameter(CLIENT_MESSAGES.invalidUrl(url));
  }
  if (url.includes("#")) throw invalidParameter(CLIENT_MESSAGES.fragmentUrl(url));
  if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) {
    throw invalidParameter(CLIENT_MESSAGES.httpUrl(url));
  }
}

function checkTokenValidity(
  request: ClientRequest,
  units: Partial<Record<keyof typeof VALIDITY_RULES, TimeUnit>>,
): void {
  for (const [kind, rule] of Object.entries(VALIDITY_RULES)) {
    const value = request[rule.field];
    if (value === undefined) continue;
    const seconds = value * SECONDS_PER[units[kind as keyof typeof VALIDITY_RULES] ?? rule.unit];
    if (seconds < rule.min || seconds > rule.max) {
      throw invalidParameter(CLIENT_MESSAGES.tokenValidityRange);
    }
  }
}

function checkOAuthFlows(
  flows: OAuthFlow[] | undefined,
  client: { hasSecret: boolean; callbackURLs: string[] | undefined },
): void {
  if (flows === undefined) return;
  if (flows.includes("client_credentials")) {
    if (flows.some((flow) => flow !== "client_credentials")) {
      throw new CognitoError("InvalidOAuthFlowException", CLIENT_MESSAGES.clientCredentialsAlone);
    }
    if (!client.hasSecret) {
      throw new CognitoError("InvalidOAuthFlowException", CLIENT_MESSAGES.clientCredentialsSecret);
    }
    return;
  }
  if (client.callbackURLs === undefined) {
    throw new CognitoError("InvalidOAuthFlowException", CLIENT_MESSAGES.callbacksRequired);
  }
}

function checkScopes(
  scopes: string[] | undefined,
  flows: OAuthFlow[] | undefined,
  template: PoolTemplate,
): void {
  if (scopes === undefined) return;
  const known = new Set(listPoolScopes(template));
  for (const scope of scopes) {
    if (!known.has(scope)) {
      throw new CognitoError("ScopeDoesNotExistException", CLIENT_MESSAGES.unknownScope(scope));
    }
  }
  if (flows?.includes("client_credentials")) {
    const userScope = scopes.find((scope) => !isCustomScope(scope));
    if (userScope !== undefined) {
      throw new CognitoError(
        "InvalidOAuthFlowException",
        CLIENT_MESSAGES.clientCredentialsScope(userScope),
      );
    }
  }
}

/** `InvalidParameterException` with the message. */
export function invalidParameter(message: string): CognitoError {
  return new CognitoError("InvalidParameterException", message);
}
