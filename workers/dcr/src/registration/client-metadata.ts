import { isJsonObject, OAuthError } from "@mcp-cognito-workers/http";
import type { RegistrationPolicy } from "../config";
import { parseRedirectUris } from "./redirect-uri";

/** Token endpoint authentication methods Cognito supports. */
export type TokenEndpointAuthMethod = "none" | "client_secret_basic" | "client_secret_post";
export type GrantType = "authorization_code" | "refresh_token" | "client_credentials";

/** Registered client metadata, as stored (camelCase). @see RFC 7591 §2 */
export interface ClientMetadata {
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: GrantType[];
  responseTypes: "code"[];
  scope: string;
  clientName?: string;
  applicationType?: "web" | "native";
  clientUri?: string;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
  contacts?: string[];
  softwareId?: string;
  softwareVersion?: string;
}

const AUTH_METHODS: TokenEndpointAuthMethod[] = [
  "none",
  "client_secret_basic",
  "client_secret_post",
];
const OIDC_SCOPES = new Set([
  "openid",
  "email",
  "phone",
  "profile",
  "aws.cognito.signin.user.admin",
]);
/** Display limits (Cognito keeps none of these; they are ours). */
export const MAX_CLIENT_NAME_LENGTH = 200;
export const MAX_URI_LENGTH = 2048;
export const MAX_CONTACTS = 10;
export const MAX_STRING_LENGTH = 255;

function invalid(description: string): never {
  throw new OAuthError("invalid_client_metadata", description);
}

function optionalString(doc: Record<string, unknown>, field: string, max: number) {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > max)
    invalid(`"${field}" must be a string of 1-${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u001f\u007f]/.test(value))
    invalid(`"${field}" must not contain control characters`);
  return value;
}

function optionalHttpsUri(doc: Record<string, unknown>, field: string) {
  const value = optionalString(doc, field, MAX_URI_LENGTH);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`"${field}" must be an absolute https URL`);
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "")
    invalid(`"${field}" must be an absolute https URL without userinfo`);
  return value;
}

function stringArray(doc: Record<string, unknown>, field: string): string[] | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    invalid(`"${field}" must be an array of strings`);
  return value;
}

/**
 * Validates client metadata against the policy and fills RFC 7591 defaults; throws
 * `invalid_client_metadata` / `invalid_redirect_uri` naming the field. @see RFC 7591 §2, §3.2.2
 */
export function parseClientMetadata(body: unknown, policy: RegistrationPolicy): ClientMetadata {
  if (!isJsonObject(body)) invalid("the request body must be a JSON object");
  const doc = body;

  const applicationType = doc.application_type ?? undefined;
  if (applicationType !== undefined && applicationType !== "web" && applicationType !== "native")
    invalid('"application_type" must be "web" or "native"');

  const method = doc.token_endpoint_auth_method ?? "client_secret_basic";
  if (!AUTH_METHODS.includes(method as TokenEndpointAuthMethod))
    invalid(`"token_endpoint_auth_method" must be one of ${AUTH_METHODS.join(", ")}`);
  const tokenEndpointAuthMethod = method as TokenEndpointAuthMethod;

  const grants = stringArray(doc, "grant_types") ?? ["authorization_code"];
  const allowedGrants: string[] = ["authorization_code", "refresh_token"];
  if (policy.allowClientCredentials) allowedGrants.push("client_credentials");
  for (const grant of grants)
    if (!allowedGrants.includes(grant))
      invalid(`"grant_types" must contain only ${allowedGrants.join(", ")}`);
  if (grants.length === 0) invalid('"grant_types" must not be empty');
  const clientCredentials = grants.includes("client_credentials");
  if (clientCredentials && grants.length > 1)
    invalid('"grant_types": client_credentials cannot be combined with other grant types');
  if (clientCredentials && tokenEndpointAuthMethod === "none")
    invalid('"grant_types": client_credentials needs a client secret, not "none"');
  if (grants.includes("refresh_token") && !grants.includes("authorization_code"))
    invalid('"grant_types": refresh_token needs authorization_code');
  // Cognito issues refresh tokens with every code grant.
  const grantTypes: GrantType[] = clientCredentials
    ? ["client_credentials"]
    : ["authorization_code", "refresh_token"];

  const responses = stringArray(doc, "response_types") ?? (clientCredentials ? [] : ["code"]);
  if (!responses.every((type) => type === "code"))
    invalid('"response_types" must contain only "code"');
  if (clientCredentials ? responses.length > 0 : responses.length !== 1)
    invalid(
      clientCredentials
        ? '"response_types" must be empty for client_credentials'
        : '"response_types" must be ["code"] for authorization_code',
    );

  const redirectUris = clientCredentials
    ? doc.redirect_uris === undefined ||
      (Array.isArray(doc.redirect_uris) && doc.redirect_uris.length === 0)
      ? []
      : invalid('"redirect_uris" must be absent for client_credentials')
    : parseRedirectUris(doc.redirect_uris, {
        applicationType,
        allowPatterns: policy.redirectUriAllowPatterns,
      });

  let scopes: string[];
  if (doc.scope === undefined || doc.scope === null) {
    scopes = clientCredentials
      ? policy.defaultScopes.filter((scope) => !OIDC_SCOPES.has(scope))
      : policy.defaultScopes;
  } else {
    if (typeof doc.scope !== "string") invalid('"scope" must be a space-separated string');
    scopes = [...new Set(doc.scope.split(" ").filter((scope) => scope !== ""))];
    if (scopes.length === 0) invalid('"scope" must name at least one scope');
    for (const scope of scopes)
      if (!policy.allowedScopes.includes(scope))
        invalid(
          `"scope": ${JSON.stringify(scope)} is not allowed; allowed: ${policy.allowedScopes.join(" ")}`,
        );
  }
  if (clientCredentials && (scopes.length === 0 || scopes.some((scope) => OIDC_SCOPES.has(scope))))
    invalid('"scope": client_credentials clients may have resource-server scopes only');
  // The registered scope is the ceiling of what the client may ask for, not what each token
  // carries. MCP clients register with the scope of their first challenge (read) and step up on a
  // 403 later (write); Cognito refuses a scope the app client lacks, so the step-up scopes are
  // registered up front. RFC 7591 §3.2.1 lets the server replace requested values; the response
  // says what was registered.
  if (!clientCredentials)
    scopes = [...scopes, ...policy.stepUpScopes.filter((scope) => !scopes.includes(scope))];

  const contacts = stringArray(doc, "contacts");
  if (contacts !== undefined) {
    if (contacts.length > MAX_CONTACTS)
      invalid(`"contacts" must have at most ${MAX_CONTACTS} entries`);
    if (!contacts.every((c) => c.length > 0 && c.length <= 320 && !/\s/.test(c)))
      invalid('"contacts" entries must be 1-320 characters without whitespace');
  }

  const metadata: ClientMetadata = {
    redirectUris,
    tokenEndpointAuthMethod,
    grantTypes,
    responseTypes: clientCredentials ? [] : ["code"],
    scope: scopes.join(" "),
    clientName: optionalString(doc, "client_name", MAX_CLIENT_NAME_LENGTH),
    applicationType,
    clientUri: optionalHttpsUri(doc, "client_uri"),
    logoUri: optionalHttpsUri(doc, "logo_uri"),
    policyUri: optionalHttpsUri(doc, "policy_uri"),
    tosUri: optionalHttpsUri(doc, "tos_uri"),
    contacts,
    softwareId: optionalString(doc, "software_id", MAX_STRING_LENGTH),
    softwareVersion: optionalString(doc, "software_version", MAX_STRING_LENGTH),
  };
  for (const key of Object.keys(metadata) as (keyof ClientMetadata)[])
    if (metadata[key] === undefined) delete metadata[key];
  return metadata;
}

/** The wire (RFC 7591 snake_case) form of stored metadata. */
export function toWireMetadata(metadata: ClientMetadata): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    redirect_uris: metadata.redirectUris,
    token_endpoint_auth_method: metadata.tokenEndpointAuthMethod,
    grant_types: metadata.grantTypes,
    response_types: metadata.responseTypes,
    scope: metadata.scope,
    client_name: metadata.clientName,
    application_type: metadata.applicationType,
    client_uri: metadata.clientUri,
    logo_uri: metadata.logoUri,
    policy_uri: metadata.policyUri,
    tos_uri: metadata.tosUri,
    contacts: metadata.contacts,
    software_id: metadata.softwareId,
    software_version: metadata.softwareVersion,
  };
  for (const [key, value] of Object.entries(wire)) if (value === undefined) delete wire[key];
  return wire;
}

/** Cognito's ClientName: the facade's prefix and the display name mapped to `[\w\s+=,.@-]`. */
export const COGNITO_CLIENT_NAME_PREFIX = "dcr-";

/** Maps a display name onto Cognito's ClientName charset and length (128). */
export function toCognitoClientName(clientName: string | undefined): string {
  const mapped = (clientName ?? "client")
    .normalize("NFKD")
    .replace(/[^\w\s+=,.@-]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
  return `${COGNITO_CLIENT_NAME_PREFIX}${mapped || "client"}`.slice(0, 128);
}
