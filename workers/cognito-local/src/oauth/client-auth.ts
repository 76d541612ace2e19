import { OAuthError, timingSafeEqual } from "@mcp-cognito-workers/http";
import type { PoolServices } from "../pool-services";
import type { UserPoolClient } from "../store/records";

/**
 * Identifies and authenticates the client of a token or revocation request: `client_secret_basic`,
 * `client_secret_post`, or a public client's bare `client_id` (RFC 6749 §2.3.1).
 */
export function authenticateClient(
  pool: Pick<PoolServices, "store">,
  authorization: string | undefined,
  form: URLSearchParams,
): UserPoolClient {
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  const postedId = form.get("client_id");
  const postedSecret = form.get("client_secret");
  if (basic !== undefined && postedSecret !== null) {
    throw new OAuthError("invalid_request", "Use one client authentication method, not two");
  }
  if (basic !== undefined && postedId !== null && postedId !== basic.id) {
    throw new OAuthError("invalid_request", "client_id does not match the Authorization header");
  }
  const clientId = basic?.id ?? postedId;
  if (!clientId) throw new OAuthError("invalid_request", "client_id is missing");
  const client = pool.store.getClient(clientId);
  if (client === undefined) throw new OAuthError("invalid_client", "Client does not exist");
  const secret = basic?.secret ?? postedSecret;
  if (client.ClientSecret === undefined) {
    if (secret !== null) throw new OAuthError("invalid_client", "The client has no secret");
    return client;
  }
  if (secret === null) throw new OAuthError("invalid_client", "The client secret is missing");
  if (!timingSafeEqual(secret, client.ClientSecret)) {
    throw new OAuthError("invalid_client", "Client authentication failed");
  }
  return client;
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) {
    throw new OAuthError("invalid_client", "The Authorization header is not HTTP Basic");
  }
  let decoded: string;
  try {
    decoded = atob(match[1]);
  } catch {
    throw new OAuthError("invalid_client", "The Authorization header is not valid base64");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", "The Authorization header lacks a secret");
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    throw new OAuthError("invalid_client", "The Authorization header is not valid");
  }
}
