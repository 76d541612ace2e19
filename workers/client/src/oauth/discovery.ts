import { isJsonObject } from "@mcp-cognito-workers/http";
import * as oauth from "oauth4webapi";
import { OAuthClientError } from "./errors";
import { assertSafeUrl, getJson, type OAuthHttpOptions } from "./http";

/** The fields of RFC 9728 metadata the client uses. */
export interface ProtectedResource {
  metadataUrl: string;
  /** The canonical resource URI sent as RFC 8707 `resource`. */
  resource: string;
  authorizationServers: string[];
  scopesSupported?: string[];
}

/**
 * Where to look for the protected-resource metadata of `serverUrl`: the challenge's
 * `resource_metadata`, else the path-inserted well-known URL, then the root one.
 * @see RFC 9728 §3.1, MCP authorization 2025-11-25 "Protected Resource Metadata Discovery"
 */
export function buildProtectedResourceMetadataUrls(
  serverUrl: URL,
  resourceMetadata?: string,
): URL[] {
  if (resourceMetadata) return [new URL(resourceMetadata)];
  const root = new URL("/.well-known/oauth-protected-resource", serverUrl.origin);
  const path = serverUrl.pathname.replace(/\/$/, "");
  if (!path) return [root];
  return [new URL(`/.well-known/oauth-protected-resource${path}`, serverUrl.origin), root];
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Checks a PRM document: `resource` must be an absolute URL of the server's origin whose path is
 * a prefix of the server's (as the MCP SDKs check), `authorization_servers` non-empty.
 */
export function parseProtectedResourceMetadata(
  serverUrl: URL,
  metadataUrl: URL,
  body: unknown,
): ProtectedResource {
  if (!isJsonObject(body)) {
    throw new OAuthClientError("invalid_resource_metadata", "the metadata is not a JSON object");
  }
  const json = body;
  if (typeof json.resource !== "string" || !URL.canParse(json.resource)) {
    throw new OAuthClientError("invalid_resource_metadata", '"resource" must be an absolute URL');
  }
  const resource = new URL(json.resource);
  const prefix = resource.pathname.replace(/\/$/, "");
  if (
    resource.origin !== serverUrl.origin ||
    !(serverUrl.pathname === prefix || serverUrl.pathname.startsWith(`${prefix}/`)) ||
    resource.search ||
    resource.hash
  ) {
    throw new OAuthClientError(
      "invalid_resource_metadata",
      `"resource" ${resource.href} does not cover ${serverUrl.href}`,
    );
  }
  const servers = json.authorization_servers;
  if (!isStringArray(servers) || servers.length === 0 || !servers.every((s) => URL.canParse(s))) {
    throw new OAuthClientError(
      "invalid_resource_metadata",
      '"authorization_servers" must be a non-empty array of URLs',
    );
  }
  const scopes = json.scopes_supported;
  return {
    metadataUrl: metadataUrl.href,
    resource: json.resource.replace(/\/$/, "") || json.resource,
    authorizationServers: servers,
    ...(isStringArray(scopes) ? { scopesSupported: scopes } : {}),
  };
}

/**
 * Fetches the protected-resource metadata in the spec's order and checks it.
 * @see RFC 9728 §3.2-3.3
 */
export async function discoverProtectedResource(
  serverUrl: URL,
  resourceMetadata: string | undefined,
  options: OAuthHttpOptions = {},
): Promise<ProtectedResource> {
  for (const url of buildProtectedResourceMetadataUrls(serverUrl, resourceMetadata)) {
    const response = await getJson("protected-resource metadata", url, options);
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const body: unknown = await response.json().catch(() => undefined);
    const prm = parseProtectedResourceMetadata(serverUrl, url, body);
    options.trace?.({
      step: "protected-resource metadata fields",
      url: url.href,
      fields: {
        resource: prm.resource,
        authorization_servers: prm.authorizationServers.join(" "),
        scopes_supported: prm.scopesSupported?.join(" ") ?? "(absent)",
      },
    });
    return prm;
  }
  throw new OAuthClientError(
    "resource_metadata_not_found",
    `no protected-resource metadata found for ${serverUrl.href}`,
  );
}

/**
 * Where to look for an authorization server's metadata. With a path: RFC 8414 path-inserted,
 * OIDC path-inserted, OIDC appended; without: RFC 8414, then OIDC.
 * @see RFC 8414 §3.1, MCP authorization 2025-11-25 "Authorization Server Metadata Discovery"
 */
export function buildAuthorizationServerMetadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, "");
  if (!path) {
    return [
      new URL("/.well-known/oauth-authorization-server", issuer.origin),
      new URL("/.well-known/openid-configuration", issuer.origin),
    ];
  }
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`/.well-known/openid-configuration${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ];
}

/** Options of {@link discoverAuthorizationServer}. */
export interface DiscoverAuthorizationServerOptions extends OAuthHttpOptions {
  /**
   * For a pre-registered server known to support S256 whose metadata omits
   * `code_challenge_methods_supported` (Cognito's own OIDC document). Never for discovered ones.
   */
  assumePkceS256?: boolean;
}

/**
 * Finds and checks an authorization server's metadata: the document's `issuer` must equal
 * `issuer` (oauth4webapi checks), and PKCE S256 must be advertised.
 * @see RFC 8414 §3.3, MCP authorization 2025-11-25 "Authorization Code Protection"
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: DiscoverAuthorizationServerOptions = {},
): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  assertSafeUrl(issuerUrl, "the authorization server");
  for (const url of buildAuthorizationServerMetadataUrls(issuerUrl)) {
    const response = await getJson("authorization-server metadata", url, options);
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const as = await oauth.processDiscoveryResponse(issuerUrl, response);
    const methods = as.code_challenge_methods_supported;
    options.trace?.({
      step: "authorization-server metadata fields",
      url: url.href,
      fields: {
        issuer: as.issuer,
        code_challenge_methods_supported: methods?.join(" ") ?? "(absent)",
        registration_endpoint: as.registration_endpoint ?? "(absent)",
      },
    });
    if (!methods?.includes("S256") && !options.assumePkceS256) {
      throw new OAuthClientError(
        "pkce_unsupported",
        `${as.issuer} does not advertise PKCE S256 (code_challenge_methods_supported)`,
      );
    }
    return as;
  }
  throw new OAuthClientError(
    "authorization_server_not_found",
    `no authorization-server metadata found for ${issuer}`,
  );
}
