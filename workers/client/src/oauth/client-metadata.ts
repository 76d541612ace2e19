// Client ID Metadata Documents: the URL that serves as `client_id`, and the document served there.

/** Whether `url` may serve as a Client ID Metadata Document URL: https with a path. */
export function isClientMetadataUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === "https:" && parsed.pathname !== "/" && parsed.hash === "";
}

/**
 * The Client ID Metadata Document this client serves at `clientId` (its own URL).
 * @see draft-ietf-oauth-client-id-metadata-document §4, MCP authorization 2025-11-25
 */
export function buildClientMetadataDocument(options: {
  clientId: string;
  clientName: string;
  redirectUris: string[];
  clientUri?: string;
}): Record<string, unknown> {
  return {
    client_id: options.clientId,
    client_name: options.clientName,
    ...(options.clientUri ? { client_uri: options.clientUri } : {}),
    redirect_uris: options.redirectUris,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}
