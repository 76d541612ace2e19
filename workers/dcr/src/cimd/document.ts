import { isJsonObject, isLoopbackHost, OAuthError } from "@mcp-cognito-workers/http";
import type { RegistrationPolicy } from "../config";
import { parseRedirectUris } from "../registration/redirect-uri";

/** Why a CIMD client_id or its document was refused; `message` is safe to show a person and a client. */
export class CimdError extends Error {
  override readonly name = "CimdError";

  constructor(message: string) {
    super(message);
  }
}

/** Longest client_id URL accepted. */
export const CIMD_MAX_URL_LENGTH = 2048;
/** Longest `client_name` accepted. */
export const CIMD_MAX_CLIENT_NAME_LENGTH = 200;

/**
 * Special-use and private-network names (RFC 6761, RFC 6762, RFC 8375, RFC 9476 and common
 * intranet suffixes): a name under one of them never denotes a public document. `example` is the
 * reserved TLD only; `example.com`-style names are public.
 */
const LOCAL_SUFFIXES = [
  "localhost",
  "localdomain",
  "local",
  "internal",
  "intranet",
  "private",
  "corp",
  "home",
  "lan",
  "arpa",
  "test",
  "invalid",
  "example",
  "onion",
  "alt",
];
const DOT_SEGMENTS = new Set([".", "..", "%2e", "%2e%2e", ".%2e", "%2e."]);

function refuse(message: string): never {
  throw new CimdError(message);
}

/** A value shortened for a message. */
function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/** A client_id that is a CIMD URL: it starts with "https://" (or "http://" when local URLs are allowed). */
export function isCimdClientId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

/** Options of {@link assertCimdUrl}. */
export interface CimdUrlOptions {
  /** Local development: allow http and https on `localhost`, `127.0.0.1` and `[::1]`, any port. */
  allowLocalUrls: boolean;
}

/**
 * Checks a CIMD URL before any fetch (the SSRF guard); returns the parsed URL or throws CimdError.
 * @see draft-ietf-oauth-client-id-metadata-document §3, §6
 */
export function assertCimdUrl(clientId: string, options: CimdUrlOptions): URL {
  if (clientId.length > CIMD_MAX_URL_LENGTH)
    refuse(`client_id URL must be at most ${CIMD_MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    refuse("client_id is not a valid URL");
  }
  const loopback = options.allowLocalUrls && isLoopbackHost(url.hostname);
  if (url.protocol === "http:") {
    if (!options.allowLocalUrls) refuse("client_id URL must use https");
    if (!loopback)
      refuse(
        "client_id URL must use https; http is allowed only for localhost, 127.0.0.1 and [::1]",
      );
  } else if (url.protocol !== "https:") {
    refuse("client_id URL must use https");
  }
  if (url.username !== "" || url.password !== "" || /^[a-z]+:\/\/[^/?#]*@/i.test(clientId))
    refuse("client_id URL must not contain userinfo");
  if (clientId.includes("#")) refuse("client_id URL must not contain a fragment");
  // Checked on the text: the URL parser resolves dot segments away.
  const rawPath = /^[a-z]+:\/\/[^/?#]*([^?#]*)/i.exec(clientId)?.[1] ?? "";
  if (rawPath.split("/").some((segment) => DOT_SEGMENTS.has(segment.toLowerCase())))
    refuse('client_id URL must not contain "." or ".." path segments');
  if (url.pathname === "/") refuse('client_id URL must have a path other than "/"');
  // One spelling per client: the URL is the identifier, compared as a string everywhere. This
  // also refuses hosts the parser rewrites (upper case, IDN, `https://2130706433/` → 127.0.0.1).
  if (url.href !== clientId)
    refuse(`client_id URL must be in normalized form; it reads as ${show(url.href)}`);
  if (!loopback) assertPublicHost(url);
  return url;
}

/**
 * The SSRF guard: a public DNS name on the default port. Names that resolve to private addresses
 * cannot be refused here (no DNS in a Worker); Workers' `fetch` does not reach private networks.
 */
function assertPublicHost(url: URL): void {
  const host = url.hostname;
  if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host))
    refuse("client_id URL must use a DNS name, not an IP address");
  if (host.endsWith(".")) refuse("client_id URL host must not end with a dot");
  if (!host.includes(".")) refuse("client_id URL host must be a fully qualified domain name");
  if (LOCAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`)))
    refuse(`client_id URL host ${show(host)} is a local or reserved name`);
  if (url.port !== "") refuse("client_id URL must not name a port");
}

/** A client described by its metadata document, validated against the policy. */
export interface CimdDocument {
  clientId: string;
  redirectUris: string[];
  clientName?: string;
  clientUri?: string;
  logoUri?: string;
  applicationType?: "web" | "native";
  /** registered scope ceiling, space-separated, after policy */
  scope: string;
}

function optionalHttpsUri(doc: Record<string, unknown>, field: string): string | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    url.protocol !== "https:" ||
    url.username !== "" ||
    url.password !== "" ||
    (value as string).length > CIMD_MAX_URL_LENGTH
  )
    refuse(`"${field}" must be an absolute https URL without userinfo`);
  return value as string;
}

function optionalClientName(doc: Record<string, unknown>): string | undefined {
  const value = doc.client_name;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > CIMD_MAX_CLIENT_NAME_LENGTH)
    refuse(`"client_name" must be a string of 1-${CIMD_MAX_CLIENT_NAME_LENGTH} characters`);
  // The name is shown on the consent page: no C0/C1 controls, no bidi overrides that reorder it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(value))
    refuse('"client_name" must not contain control characters');
  return value;
}

function optionalStringArray(doc: Record<string, unknown>, field: string): string[] | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    refuse(`"${field}" must be an array of strings`);
  return value;
}

/** The scope ceiling: the allowed requested scopes (or the defaults), plus the step-up scopes. */
function registeredScope(value: unknown, policy: RegistrationPolicy): string {
  if (value !== undefined && value !== null && typeof value !== "string")
    refuse('"scope" must be a space-separated string');
  // A document is published once for every server, so scopes this one does not know are
  // dropped, not refused. offline_access is dropped: Cognito issues refresh tokens anyway.
  const requested = (value ?? "")
    .split(" ")
    .filter((scope) => scope !== "offline_access" && policy.allowedScopes.includes(scope));
  const scopes = [...new Set(requested.length > 0 ? requested : policy.defaultScopes)];
  for (const scope of policy.stepUpScopes) if (!scopes.includes(scope)) scopes.push(scope);
  return scopes.join(" ");
}

/**
 * Validates a fetched document against its URL and the policy. Throws CimdError naming the field.
 * @see draft-ietf-oauth-client-id-metadata-document §4.1
 */
export function parseCimdDocument(
  body: unknown,
  clientId: string,
  policy: RegistrationPolicy,
): CimdDocument {
  if (!isJsonObject(body)) refuse("the client metadata document must be a JSON object");
  const doc = body;

  if (typeof doc.client_id !== "string")
    refuse('the client metadata document must have a "client_id" string');
  if (doc.client_id !== clientId)
    refuse(`client_id in the document (${show(doc.client_id)}) does not equal its URL`);

  const method = doc.token_endpoint_auth_method ?? "none";
  if (method !== "none")
    refuse(
      '"token_endpoint_auth_method" must be "none": this server accepts only public CIMD clients ' +
        "(a client secret cannot be published in a document, and private_key_jwt is not supported)",
    );

  const grantTypes = optionalStringArray(doc, "grant_types");
  if (grantTypes !== undefined) {
    if (!grantTypes.every((grant) => grant === "authorization_code" || grant === "refresh_token"))
      refuse('"grant_types" must contain only authorization_code and refresh_token');
    if (!grantTypes.includes("authorization_code"))
      refuse('"grant_types" must include authorization_code');
  }
  const responseTypes = optionalStringArray(doc, "response_types");
  if (
    responseTypes !== undefined &&
    (responseTypes.length === 0 || responseTypes.some((type) => type !== "code"))
  )
    refuse('"response_types" must contain only "code"');

  const applicationType =
    doc.application_type === "web" || doc.application_type === "native"
      ? doc.application_type
      : undefined;
  let redirectUris: string[];
  try {
    redirectUris = parseRedirectUris(doc.redirect_uris, {
      applicationType,
      allowPatterns: policy.redirectUriAllowPatterns,
    });
  } catch (error) {
    if (error instanceof OAuthError) refuse(error.description ?? error.code);
    throw error;
  }

  const document: CimdDocument = {
    clientId,
    redirectUris,
    clientName: optionalClientName(doc),
    clientUri: optionalHttpsUri(doc, "client_uri"),
    logoUri: optionalHttpsUri(doc, "logo_uri"),
    applicationType,
    scope: registeredScope(doc.scope, policy),
  };
  for (const key of Object.keys(document) as (keyof CimdDocument)[])
    if (document[key] === undefined) delete document[key];
  return document;
}
