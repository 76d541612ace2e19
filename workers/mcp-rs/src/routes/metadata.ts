import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { AuthorizationServerMetadataCache } from "../discovery/authorization-server";
import { buildProtectedResourceMetadata } from "../discovery/protected-resource";
import { CACHEABLE } from "../http/cache-control";

/** Options of {@link handleAuthorizationServerMetadata}; tests inject the network and the clock. */
export interface MetadataRouteOptions {
  /** Fetch for the facade's metadata. */
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Protected Resource Metadata of the resource `<origin>/mcp` (path-inserted URL). @see RFC 9728 §3.1 */
export function handleResourceMetadata() {
  return (c: Context<AppEnv>) =>
    c.json(buildProtectedResourceMetadata(c.var.resource, c.var.config), 200, CACHEABLE);
}

/** Protected Resource Metadata of the resource `<origin>` (the root form). @see RFC 9728 §3.3 */
export function handleRootResourceMetadata() {
  return (c: Context<AppEnv>) => {
    const root = new URL(c.var.resource).origin;
    return c.json(buildProtectedResourceMetadata(root, c.var.config), 200, CACHEABLE);
  };
}

/**
 * The facade's RFC 8414 metadata, mirrored for 2025-03-26-era clients that look for it on the
 * resource server; cached as long as the handler lives.
 * @see RFC 8414 §3
 */
export function handleAuthorizationServerMetadata({ fetch, now }: MetadataRouteOptions) {
  const asMetadata = new AuthorizationServerMetadataCache({ fetch, now });
  return async (c: Context<AppEnv>) =>
    c.json(await asMetadata.get(c.var.config.authorizationServer), 200, CACHEABLE);
}
