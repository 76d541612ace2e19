import type { PoolTemplate } from "../config/pool-template";
import type { UserPoolClient } from "../store/records";
import { CLIENT_MESSAGES, type ClientRequest, checkClientRules } from "./client-rules";
import { CognitoError } from "./cognito-error";
import { readInput } from "./input";
import { CREATE_USER_POOL_CLIENT, UPDATE_USER_POOL_CLIENT } from "./shapes";

export { CLIENT_MESSAGES, COGNITO_PROVIDER } from "./client-rules";

/** Length of a generated `ClientId` (lowercase letters and digits), as Cognito's. */
export const CLIENT_ID_LENGTH = 26;
/** Length of a generated `ClientSecret` (lowercase letters and digits); Cognito's are 51-52. */
export const CLIENT_SECRET_LENGTH = 52;
/** `RefreshTokenValidity` when none (or 0) is given, in days. */
export const DEFAULT_REFRESH_TOKEN_VALIDITY_DAYS = 30;
/** `AuthSessionValidity` when none is given, in minutes. */
export const DEFAULT_AUTH_SESSION_VALIDITY_MINUTES = 3;

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

  const callbackURLs = nonEmpty(request.CallbackURLs);
  const refreshTokenValidity = request.RefreshTokenValidity || DEFAULT_REFRESH_TOKEN_VALIDITY_DAYS;
  const units = { ...request.TokenValidityUnits };
  // Cognito reads a RefreshTokenValidity of 0 as "the default", 30 days.
  if (!request.RefreshTokenValidity) delete units.RefreshToken;
  const flows = nonEmpty(request.AllowedOAuthFlows);
  const scopes = nonEmpty(request.AllowedOAuthScopes);
  checkClientRules(
    {
      ...request,
      CallbackURLs: callbackURLs,
      RefreshTokenValidity: refreshTokenValidity,
      TokenValidityUnits: units,
      AllowedOAuthFlows: flows,
      AllowedOAuthScopes: scopes,
    },
    {
      template: context.template,
      userPoolId: context.userPoolId,
      hasSecret: clientSecret !== undefined,
    },
  );

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

function readClientRequest(
  input: Record<string, unknown>,
  update: boolean,
): Record<string, unknown> {
  if (!update) return readInput(input, CREATE_USER_POOL_CLIENT);
  // The client id of an update is the existing client's; the caller has looked it up.
  const { ClientId: _, ...members } = UPDATE_USER_POOL_CLIENT.members;
  return readInput(input, { type: "structure", members, required: ["UserPoolId"] });
}

/** An empty list is the same as none: Cognito does not echo it back. */
function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
