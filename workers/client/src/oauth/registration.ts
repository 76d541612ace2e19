// RFC 7591 Dynamic Client Registration, kept once per issuer in a RegistrationStore.

import * as oauth from "oauth4webapi";
import { isClientMetadataUrl } from "./client-metadata";
import { OAuthClientError } from "./errors";
import { type OAuthHttpOptions, oauthRequestOptions } from "./http";
import {
  processReadRegistrationResponse,
  readRegistrationRequest,
} from "./registration-management";

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

/** Options of {@link getOrRegisterClient}. */
export interface ObtainClientOptions extends RegistrationOptions {
  /**
   * This client's Client ID Metadata Document URL (https, with a path). Used as the `client_id`
   * where the authorization server advertises `client_id_metadata_document_supported`.
   */
  clientMetadataUrl?: string;
}

/** How {@link getOrRegisterClient} came by the client's credentials. */
export type ClientSource = "metadata_document" | "stored" | "registered";

/**
 * The client's credentials at this authorization server, in the MCP registration order: a
 * Client ID Metadata Document URL where the server supports it; else the stored registration,
 * checked with RFC 7592 where the server gave a registration access token (a client the server
 * no longer knows is dropped); else a new registration (stored). Registering once per issuer is
 * what keeps a busy client from exhausting Cognito's app-client quota.
 * @see MCP authorization 2025-11-25, "Client Registration Approaches"
 */
export async function getOrRegisterClient(
  as: oauth.AuthorizationServer,
  store: RegistrationStore,
  options: ObtainClientOptions,
): Promise<{ registration: ClientRegistration; source: ClientSource }> {
  if (options.clientMetadataUrl && as.client_id_metadata_document_supported === true) {
    if (!isClientMetadataUrl(options.clientMetadataUrl)) {
      throw new TypeError("clientMetadataUrl must be an https URL with a path");
    }
    options.trace?.({
      step: "client ID metadata document used as client_id",
      url: options.clientMetadataUrl,
    });
    return {
      registration: {
        issuer: as.issuer,
        clientId: options.clientMetadataUrl,
        tokenEndpointAuthMethod: "none",
      },
      source: "metadata_document",
    };
  }
  const existing = await store.get(as.issuer);
  if (existing && existing.issuer === as.issuer) {
    const verdict =
      existing.registrationClientUri && existing.registrationAccessToken
        ? await processReadRegistrationResponse(await readRegistrationRequest(existing, options))
        : "unverified";
    if (verdict !== "unknown") {
      options.trace?.({
        step: "stored registration reused",
        url: as.issuer,
        fields: { client_id: existing.clientId },
      });
      return { registration: existing, source: "stored" };
    }
    options.trace?.({
      step: "stored registration unknown to the server: registering again",
      url: as.issuer,
      fields: { client_id: existing.clientId },
    });
    await store.delete(as.issuer);
  }
  const registration = await registerClient(as, options);
  await store.put(registration);
  return { registration, source: "registered" };
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
