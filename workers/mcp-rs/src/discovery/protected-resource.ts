import type { Config } from "../config";

/** Path of the MCP endpoint on this origin. */
export const MCP_PATH = "/mcp";
/** RFC 9728 well-known prefix. */
export const PRM_PATH = "/.well-known/oauth-protected-resource";

/** This server's canonical resource URL: configured, or the request origin + `/mcp`. @see RFC 8707 §2 */
export function resolveResource(config: Config, requestUrl: string): string {
  return config.resourceUrl ?? `${new URL(requestUrl).origin}${MCP_PATH}`;
}

/** The path-inserted metadata URL of a resource, as the challenge's `resource_metadata`. @see RFC 9728 §3.1 */
export function buildResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${PRM_PATH}${url.pathname === "/" ? "" : url.pathname}`;
}

/**
 * Protected Resource Metadata for `resource` (the MCP endpoint for the path-inserted URL, the
 * origin for the root one, so that `resource` matches the URL it was derived from).
 * @see RFC 9728 §2, §3.3
 */
export function buildProtectedResourceMetadata(resource: string, config: Config) {
  return {
    resource,
    authorization_servers: [config.authorizationServer],
    // Never offline_access (MCP 2026-07-28): refresh is the authorization server's business.
    scopes_supported: [config.readScope, config.writeScope],
    bearer_methods_supported: ["header"],
    resource_signing_alg_values_supported: ["RS256"],
    resource_name: "mcp-cognito-workers contexts",
  };
}
