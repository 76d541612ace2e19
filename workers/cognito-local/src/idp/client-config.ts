import { isCustomScope, listPoolScopes, type PoolTemplate } from "../config/pool-template";
import type { OAuthFlow, TimeUnit, UserPoolClient } from "../store/records";
import { CognitoError } from "./cognito-error";
import { readInput } from "./input";
import { CREATE_USER_POOL_CLIENT, EXPLICIT_AUTH_FLOWS, UPDATE_USER_POOL_CLIENT } from "./shapes";

/** Length of a generated `ClientId` (lowercase letters and digits), as Cognito's. */
export const CLIENT_ID_LENGTH = 26;
/** Length of a generated `ClientSecret` (lowercase letters and digits); Cognito's are 51-52. */
export const CLIENT_SECRET_LENGTH = 52;
/** `RefreshTokenValidity` when none (or 0) is given, in days. */
export const DEFAULT_REFRESH_TOKEN_VALIDITY_DAYS = 30;
/** `AuthSessionValidity` when none is given, in minutes. */
export const DEFAULT_AUTH_SESSION_VALIDITY_MINUTES = 3;
/** The only identity provider of the stand-in's pool. */
export const COGNITO_PROVIDER = "COGNITO";

/** Hosts to which an `http://` callback or sign-out URL may point. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);
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

/** What {@link buildUserPoolClient} needs besides the request. */
export interface BuildClientContext {
  template: PoolTemplate;
  /** The stand-in's pool; a request naming another is `ResourceNotFoundException`. */
  userPoolId: string;
  /** Epoch milliseconds. */
  now: number;
  /** Use this id instead of generating one (the static client). */
  clientId?: string;
  /** Use this secret instead of generating one (the static client). */
  clientSecret?: string;
  /** The client being replaced: UpdateUserPoolClient semantics. */
  existing?: UserPoolClient;
}

/**
 * Makes an app client from a CreateUserPoolClient request, or, with `existing`, from an
 * UpdateUserPoolClient request: the update replaces the whole configuration (a field left out
 * returns to its default) and keeps only the id, the secret, the creation date and, when none is
 * given, the name. Checks every field as Cognito does and throws {@link CognitoError}.
 */
export function buildUserPoolClient(
  input: Record<string, unknown>,
  context: BuildClientContext,
): UserPoolClient {
  const { existing } = context;
  const request = readClientRequest(input, existing !== undefined) as unknown as ClientRequest;
  if (request.UserPoolId !== context.userPoolId) {
    throw new CognitoError(
      "ResourceNotFoundException",
      CLIENT_MESSAGES.poolNotFound(request.UserPoolId),
    );
  }
  if (
    existing === undefined &&
    request.GenerateSecret === true &&
    request.ClientSecret !== undefined
  ) {
    throw new CognitoError("InvalidParameterException", CLIENT_MESSAGES.secretTwice);
  }
  const clientSecret =
    context.clientSecret ??
    (existing !== undefined
      ? existing.ClientSecret
      : (request.ClientSecret ??
        (request.GenerateSecret === true ? randomAlphanumeric(CLIENT_SECRET_LENGTH) : undefined)));

  checkIdentityProviders(request.SupportedIdentityProviders, context.userPoolId);
  checkExplicitAuthFlows(request.ExplicitAuthFlows);
  const callbackURLs = nonEmpty(request.CallbackURLs);
  for (const url of [...(callbackURLs ?? []), ...(request.LogoutURLs ?? [])]) checkRedirectUrl(url);
  if (request.DefaultRedirectURI !== undefined) {
    checkRedirectUrl(request.DefaultRedirectURI);
    if (!callbackURLs?.includes(request.DefaultRedirectURI)) {
      throw invalidParameter(CLIENT_MESSAGES.defaultRedirectNotInCallbacks);
    }
  }
  const refreshTokenValidity = request.RefreshTokenValidity || DEFAULT_REFRESH_TOKEN_VALIDITY_DAYS;
  const units = { ...request.TokenValidityUnits };
  // Cognito reads a RefreshTokenValidity of 0 as "the default", 30 days.
  if (!request.RefreshTokenValidity) delete units.RefreshToken;
  checkTokenValidity({ ...request, RefreshTokenValidity: refreshTokenValidity }, units);
  const flows = nonEmpty(request.AllowedOAuthFlows);
  const scopes = nonEmpty(request.AllowedOAuthScopes);
  checkOAuthFlows(flows, { hasSecret: clientSecret !== undefined, callbackURLs });
  if (
    request.AllowedOAuthFlowsUserPoolClient === true &&
    (flows === undefined || scopes === undefined)
  ) {
    throw invalidParameter(CLIENT_MESSAGES.oauthNeedsFlowsAndScopes);
  }
  checkScopes(scopes, flows, context.template);

  const now = context.now / 1000;
  // Cognito's field order, so that a client looks the same here as from the real service.
  const client: UserPoolClient = {
    UserPoolId: context.userPoolId,
    ClientName: request.ClientName ?? (existing as UserPoolClient).ClientName,
    ClientId: context.clientId ?? existing?.ClientId ?? randomAlphanumeric(CLIENT_ID_LENGTH),
    ...(clientSecret !== undefined ? { ClientSecret: clientSecret } : {}),
    LastModifiedDate: now,
    CreationDate: existing?.CreationDate ?? now,
    RefreshTokenValidity: refreshTokenValidity,
    ...optional("AccessTokenValidity", request.AccessTokenValidity),
    ...optional("IdTokenValidity", request.IdTokenValidity),
    TokenValidityUnits: units,
    ...optional("ReadAttributes", nonEmpty(request.ReadAttributes)),
    ...optional("WriteAttributes", nonEmpty(request.WriteAttributes)),
    ...optional("ExplicitAuthFlows", nonEmpty(request.ExplicitAuthFlows)),
    ...optional("SupportedIdentityProviders", nonEmpty(request.SupportedIdentityProviders)),
    ...optional("CallbackURLs", callbackURLs),
    ...optional("LogoutURLs", nonEmpty(request.LogoutURLs)),
    ...optional("DefaultRedirectURI", request.DefaultRedirectURI),
    ...optional("AllowedOAuthFlows", flows),
    ...optional("AllowedOAuthScopes", scopes),
    AllowedOAuthFlowsUserPoolClient: request.AllowedOAuthFlowsUserPoolClient ?? false,
    // Left out when not given, as Cognito does; absent means LEGACY.
    ...optional("PreventUserExistenceErrors", request.PreventUserExistenceErrors),
    EnableTokenRevocation: request.EnableTokenRevocation ?? true,
    EnablePropagateAdditionalUserContextData:
      request.EnablePropagateAdditionalUserContextData ?? false,
    AuthSessionValidity: request.AuthSessionValidity ?? DEFAULT_AUTH_SESSION_VALIDITY_MINUTES,
    ...optional("RefreshTokenRotation", request.RefreshTokenRotation),
  };
  return client;
}

/** A random string of lowercase letters and digits, the alphabet of Cognito's ids and secrets. */
export function randomAlphanumeric(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length))) {
      // 252 = 7 × 36: dropping larger bytes keeps every character equally likely.
      if (byte < 252 && out.length < length) out += alphabet[byte % 36];
    }
  }
  return out;
}

/** The members of a Create or Update request, once read. */
/** CreateUserPoolClient's input: the client's fields less those Cognito sets itself. */
type ClientRequest = Partial<
  Omit<UserPoolClient, "UserPoolId" | "ClientId" | "CreationDate" | "LastModifiedDate">
> & { UserPoolId: string; GenerateSecret?: boolean };

function readClientRequest(
  input: Record<string, unknown>,
  update: boolean,
): Record<string, unknown> {
  if (!update) return readInput(input, CREATE_USER_POOL_CLIENT);
  // The client id of an update is the existing client's; the caller has looked it up.
  const { ClientId: _, ...members } = UPDATE_USER_POOL_CLIENT.members;
  return readInput(input, { type: "structure", members, required: ["UserPoolId"] });
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
  if (parsed.protocol === "http:" && !LOOPBACK_HOSTS.has(parsed.hostname)) {
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

function invalidParameter(message: string): CognitoError {
  return new CognitoError("InvalidParameterException", message);
}

/** An empty list is the same as none: Cognito does not echo it back. */
function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
