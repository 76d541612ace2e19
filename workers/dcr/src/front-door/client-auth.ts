// Client authentication at the token and revocation endpoints. The front door checks that the
// client uses the method it registered; the secret itself is checked by Cognito, which holds it.
import { OAuthError } from "@mcp-cognito-workers/http";

/** How a request authenticated its client. */
export interface PresentedClient {
  clientId: string;
  method: "none" | "client_secret_basic" | "client_secret_post";
  clientSecret?: string;
}

function invalidClient(description: string): OAuthError {
  return new OAuthError("invalid_client", description, 401, {
    headers: { "WWW-Authenticate": 'Basic realm="token"' },
  });
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Reads `Authorization: Basic` credentials (form-encoded id and secret). @see RFC 6749 §2.3.1 */
export function parseBasicCredentials(
  header: string,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1]);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (!clientId || clientSecret === undefined || clientSecret === "") return undefined;
  return { clientId, clientSecret };
}

/**
 * Who the client says it is, and how: Basic, `client_secret` in the body, or `client_id` alone.
 * More than one method, or ids that disagree, is refused. @see RFC 6749 §2.3
 */
export function readPresentedClient(
  authorization: string | undefined,
  form: Map<string, string>,
): PresentedClient {
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (authorization !== undefined && authorization !== "") {
    const basic = parseBasicCredentials(authorization);
    if (!basic) throw invalidClient("the Authorization header is not valid Basic credentials");
    if (bodySecret !== undefined)
      throw new OAuthError("invalid_request", "use one client authentication method, not two");
    if (bodyId !== undefined && bodyId !== basic.clientId)
      throw new OAuthError("invalid_request", '"client_id" does not match the Basic credentials');
    return {
      clientId: basic.clientId,
      method: "client_secret_basic",
      clientSecret: basic.clientSecret,
    };
  }
  if (bodyId === undefined || bodyId === "")
    throw invalidClient("client authentication is required (client_id)");
  if (bodySecret !== undefined) {
    if (bodySecret === "") throw invalidClient('"client_secret" is empty');
    return { clientId: bodyId, method: "client_secret_post", clientSecret: bodySecret };
  }
  return { clientId: bodyId, method: "none" };
}

/** Refuses a client that authenticates otherwise than it registered. */
export function assertRegisteredMethod(
  presented: PresentedClient,
  registered: "none" | "client_secret_basic" | "client_secret_post",
): void {
  if (presented.method !== registered)
    throw invalidClient(
      registered === "none"
        ? "this client is public: send client_id only, with no secret"
        : `this client must authenticate with ${registered}`,
    );
}

export { invalidClient };
