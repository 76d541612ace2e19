// Relaying to Cognito's managed-login endpoints: build and send (`...Request`), then turn the
// answer into the client's response (`process...Response`). Cognito's bodies pass through only
// when they are what RFC 6749 says they are.
import { isJsonObject, logEvent, OAuthError, type OAuthErrorCode } from "@mcp-cognito-workers/http";

/** How long a relayed call may take before the client is told to retry. */
export const COGNITO_OAUTH_TIMEOUT_MILLISECONDS = 10_000;
/** Seconds a client is told to wait when Cognito could not be reached. */
export const RELAY_RETRY_AFTER_SECONDS = 5;
/** Largest answer relayed from Cognito. */
const MAX_RELAYED_BYTES = 64 * 1024;

/** The app client the relay speaks for, with the secret its client presented, if any. */
export interface CognitoClientCredentials {
  clientId: string;
  clientSecret?: string;
}

/** `client_id:client_secret`, each form-encoded, for HTTP Basic. @see RFC 6749 §2.3.1 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}

/** POSTs a form to one of Cognito's OAuth endpoints as `credentials`; returns the raw response. */
export async function cognitoOAuthRequest(
  endpoint: string,
  form: URLSearchParams,
  credentials: CognitoClientCredentials,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (credentials.clientSecret !== undefined)
    headers.authorization = basicCredentials(credentials.clientId, credentials.clientSecret);
  else form.set("client_id", credentials.clientId);
  try {
    return await fetchImpl(endpoint, {
      method: "POST",
      headers,
      body: form.toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(COGNITO_OAUTH_TIMEOUT_MILLISECONDS),
    });
  } catch (error) {
    logEvent("error", "relay_unreachable", { endpoint, error: String(error) });
    throw unavailable();
  }
}

function unavailable(): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    "the authorization server could not be reached; retry later",
    503,
    { headers: { "Retry-After": String(RELAY_RETRY_AFTER_SECONDS) } },
  );
}

/** Error codes of Cognito's token and revocation endpoints that are relayed as they are. */
const RELAYED_ERRORS: ReadonlySet<string> = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "unsupported_token_type",
]);

const DESCRIPTIONS: Record<string, string> = {
  invalid_request: "the authorization server refused the request",
  invalid_client: "client authentication failed",
  invalid_grant: "the code or refresh token is invalid, expired, or was issued to another client",
  unauthorized_client: "the client is not allowed to use this grant",
  unsupported_grant_type: "the grant type is not supported",
  invalid_scope: "the requested scope is not allowed",
  unsupported_token_type: "this token type cannot be revoked",
};

async function readLimited(res: Response): Promise<string | undefined> {
  const text = await res.text();
  return new TextEncoder().encode(text).byteLength > MAX_RELAYED_BYTES ? undefined : text;
}

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

/** A successful token answer: an object with an `access_token`. @see RFC 6749 §5.1 */
export type TokenResponseBody = Record<string, unknown> & { access_token: string };

/**
 * Cognito's token answer: its body on success; an error as RFC 6749 §5.2 with Cognito's code;
 * anything else a 502, never a 500. @see RFC 6749 §5.1
 */
export async function processCognitoTokenResponse(res: Response): Promise<TokenResponseBody> {
  const text = await readLimited(res).catch(() => undefined);
  let body: unknown;
  try {
    body = text === undefined ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isJsonObject(body)) throw relayedError(res, undefined);
  if (res.status === 200 && typeof body.access_token === "string") return body as TokenResponseBody;
  throw relayedError(res, body.error);
}

/** The client's token response: the body as JSON with no-store. @see RFC 6749 §5.1 */
export function buildTokenResponse(body: TokenResponseBody): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json;charset=UTF-8", ...NO_STORE },
  });
}

/** Cognito's revocation answer as the client's: 200 with an empty body, or an RFC 6749 error. */
export async function processCognitoRevocationResponse(res: Response): Promise<Response> {
  if (res.status === 200) {
    await res.body?.cancel();
    return new Response(null, { status: 200, headers: NO_STORE });
  }
  const text = await readLimited(res).catch(() => undefined);
  let code: unknown;
  try {
    code = text ? (JSON.parse(text) as { error?: unknown }).error : undefined;
  } catch {
    code = undefined;
  }
  throw relayedError(res, code);
}

function relayedError(res: Response, code: unknown): OAuthError {
  if (
    typeof code === "string" &&
    RELAYED_ERRORS.has(code) &&
    res.status >= 400 &&
    res.status < 500
  ) {
    const status = code === "invalid_client" ? 401 : 400;
    return new OAuthError(
      code as OAuthErrorCode,
      DESCRIPTIONS[code] ?? "refused",
      status,
      status === 401 ? { headers: { "WWW-Authenticate": 'Basic realm="token"' } } : {},
    );
  }
  logEvent("error", "relay_unexpected", { status: res.status });
  if (res.status >= 500 || res.status === 429) return unavailable();
  return new OAuthError("server_error", "the authorization server answered unexpectedly", 502);
}
