import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { buildClientMetadataUrl } from "../flows/servers";
import { buildClientMetadataDocument } from "../oauth";

/**
 * `GET /oauth/client-metadata.json`: this client's Client ID Metadata Document, public and
 * cacheable for an hour; served only on https (404 otherwise), as CIMD requires.
 */
export function handleClientMetadata(): Handler<AppEnv> {
  return (c) => {
    const config = c.var.config;
    const clientId = buildClientMetadataUrl(config);
    if (!clientId) return c.notFound();
    c.header("cache-control", "public, max-age=3600");
    return c.json(
      buildClientMetadataDocument({
        clientId,
        clientName: config.appName,
        clientUri: new URL("/", config.redirectUri).href,
        redirectUris: [config.redirectUri],
      }),
    );
  };
}
