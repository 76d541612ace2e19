import * as oauth from "oauth4webapi";
import { OAuthClientError } from "./errors";
import { type OAuthHttpOptions, oauthRequestOptions } from "./http";

/** Client credentials at one authorization server (stored record, camelCase). */
export interface ClientRegistration {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: "none" | "client_secret_post" | "client_secret_basic";
  registrationClientUri?: string;
  registrationAccessToken?: string;
}

/** Where registrations are kept, keyed by issuer (one registration per authorization server). */
export interface RegistrationStore {
  get(issuer: string): Promise<ClientRegistration | undefined>;
  put(registration: ClientRegistration): Promise<void>;
  delete(issuer: string): Promise<void>;
}

/** What the client asks to be registered as. */
export interface RegistrationOptions extends OAuthHttpOptions {
  clientName: string;
  redirectUris: string[];
  scope?: string;
  applicationType?: "web" | "native";
  tokenEndpointAuthMethod?: ClientRegistration["tokenEndpointAuthMethod"];
}

/**
 * Registers with RFC 7591 Dynamic Client Registration through oauth4webapi.
 * @see RFC 7591 §3, MCP authorization 2026-07-28 (`application_type`)
 */
export async function registerClient(
  as: oauth.AuthorizationServer,
  options: RegistrationOptions,
): Promise<ClientRegistration> {
  if (!as.registration_endpoint) {
    throw new OAuthClientError(
      "registration_unsupported",
      `${as.issuer} offers no registration_endpoint`,
    );
  }
  const method = options.tokenEndpointAuthMethod ?? "client_secret_post";
  const response = await oauth.dynamicClientRegistrationRequest(
    as,
    {
      client_name: options.clientName,
      redirect_uris: options.redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: method,
      application_type: options.applicationType ?? "web",
      ...(options.scope ? { scope: options.scope } : {}),
    },
    oauthRequestOptions(as.registration_endpoint, options),
  );
  options.trace?.({
    step: "dynamic client registration",
    url: as.registration_endpoint,
    status: response.status,
  });
  const client = await oauth.processDynamicClientRegistrationResponse(
    await withSecretExpiry(response),
  );
  const registered =
    typeof client.token_endpoint_auth_method === "string"
      ? client.token_endpoint_auth_method
      : method;
  return {
    issuer: as.issuer,
    clientId: client.client_id,
    ...(typeof client.client_secret === "string" ? { clientSecret: client.client_secret } : {}),
    tokenEndpointAuthMethod: registered as ClientRegistration["tokenEndpointAuthMethod"],
    ...(typeof client.registration_client_uri === "string"
      ? { registrationClientUri: client.registration_client_uri }
      : {}),
    ...(typeof client.registration_access_token === "string"
      ? { registrationAccessToken: client.registration_access_token }
      : {}),
  };
}

/**
 * RFC 7591 §3.2.1 requires `client_secret_expires_at` with a secret, and oauth4webapi insists;
 * some servers leave it out. Absent, it is read as 0 (never expires) rather than failing.
 */
async function withSecretExpiry(response: Response): Promise<Response> {
  if (response.status !== 201) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (
    typeof body !== "object" ||
    body === null ||
    !("client_secret" in body) ||
    "client_secret_expires_at" in body
  ) {
    return response;
  }
  return Response.json(
    { ...body, client_secret_expires_at: 0 },
    {
      status: response.status,
      headers: response.headers,
    },
  );
}

/**
 * The stored registration for this authorization server, or a new one (stored). Registering once
 * per issuer is what keeps a busy client from exhausting Cognito's app-client quota.
 */
export async function getOrRegisterClient(
  as: oauth.AuthorizationServer,
  store: RegistrationStore,
  options: RegistrationOptions,
): Promise<{ registration: ClientRegistration; registered: boolean }> {
  const existing = await store.get(as.issuer);
  if (existing && existing.issuer === as.issuer) {
    options.trace?.({
      step: "stored registration reused",
      url: as.issuer,
      fields: { client_id: existing.clientId },
    });
    return { registration: existing, registered: false };
  }
  const registration = await registerClient(as, options);
  await store.put(registration);
  return { registration, registered: true };
}

/** An in-memory {@link RegistrationStore} (tests and the command-line adapter). */
export function createMemoryRegistrationStore(): RegistrationStore {
  const records = new Map<string, ClientRegistration>();
  return {
    get: async (issuer) => records.get(issuer),
    put: async (registration) => {
      records.set(registration.issuer, registration);
    },
    delete: async (issuer) => {
      records.delete(issuer);
    },
  };
}

/** The oauth4webapi client and client authentication for a registration. */
export function toOAuthClient(registration: ClientRegistration): {
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
} {
  const client: oauth.Client = {
    client_id: registration.clientId,
    token_endpoint_auth_method: registration.tokenEndpointAuthMethod,
  };
  const secret = registration.clientSecret;
  if (registration.tokenEndpointAuthMethod === "none" || secret === undefined) {
    return { client, clientAuth: oauth.None() };
  }
  return {
    client,
    clientAuth:
      registration.tokenEndpointAuthMethod === "client_secret_basic"
        ? oauth.ClientSecretBasic(secret)
        : oauth.ClientSecretPost(secret),
  };
}
