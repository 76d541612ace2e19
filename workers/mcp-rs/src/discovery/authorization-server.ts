import { isJsonObject, logEvent } from "@mcp-cognito-workers/http";
import { RequestError } from "../http/errors";

/** How long the facade's metadata is reused before it is fetched again. */
export const AS_METADATA_TTL_SECONDS = 300;
/** How long a fetch of the facade's metadata may take. */
export const AS_METADATA_TIMEOUT_MS = 5000;

/** Options of {@link AuthorizationServerMetadataCache}. */
export interface AuthorizationServerMetadataOptions {
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Sends the RFC 8414 metadata request for an issuer without a path. @see RFC 8414 §3.1 */
export function authorizationServerMetadataRequest(
  issuer: string,
  fetchFn: typeof fetch,
): Promise<Response> {
  return fetchFn(`${issuer}/.well-known/oauth-authorization-server`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(AS_METADATA_TIMEOUT_MS),
  });
}

/** Checks RFC 8414 metadata: a JSON object whose `issuer` is the one asked for. @see RFC 8414 §3.3 */
export async function processAuthorizationServerMetadataResponse(
  res: Response,
  issuer: string,
): Promise<Record<string, unknown>> {
  if (!res.ok) throw new Error(`metadata answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isJsonObject(body)) throw new Error("metadata is not a JSON object");
  if (body.issuer !== issuer) throw new Error('"issuer" of the metadata does not match');
  return body;
}

/**
 * The facade's authorization-server metadata, mirrored on this origin for 2025-03-26-era clients
 * that look for it at the MCP server; cached, and the last good copy kept when the facade is down.
 */
export class AuthorizationServerMetadataCache {
  readonly #options: AuthorizationServerMetadataOptions;
  #metadata: Record<string, unknown> | undefined;
  #issuer: string | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;

  constructor(options: AuthorizationServerMetadataOptions) {
    this.#options = options;
  }

  /** The metadata of `issuer`; throws a 502 `RequestError` when it was never obtained. */
  async get(issuer: string): Promise<Record<string, unknown>> {
    const fresh =
      this.#issuer === issuer &&
      this.#options.now() - this.#fetchedAt < AS_METADATA_TTL_SECONDS * 1000;
    if (fresh && this.#metadata) return this.#metadata;
    try {
      const res = await authorizationServerMetadataRequest(issuer, this.#options.fetch);
      this.#metadata = await processAuthorizationServerMetadataResponse(res, issuer);
      this.#issuer = issuer;
      this.#fetchedAt = this.#options.now();
      return this.#metadata;
    } catch (error) {
      logEvent("warn", "as_metadata_fetch_failed", {
        message: error instanceof Error ? error.message : String(error),
      });
      if (this.#metadata && this.#issuer === issuer) return this.#metadata;
      throw new RequestError(
        "bad_gateway",
        "the authorization server's metadata cannot be fetched",
        502,
      );
    }
  }
}
