// The registration bench's clients at dcr's front door: what each one registers (from an address
// of its own), its sign-in through the consent page and the managed login, and its token requests.
import { createHash, randomBytes } from "node:crypto";
import { authorizeThroughFrontDoor } from "@mcp-cognito-workers/test-support/sign-in";

/** The loopback redirect URI every bench client registers. */
export const REDIRECT_URI = "http://127.0.0.1:33418/cb";

/** The metadata of the n-th registration: mostly public clients, as MCP clients are. */
function buildClientMetadata(n) {
  const kind = n % 20;
  if (kind < 12) return { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" };
  if (kind < 17)
    return { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "client_secret_basic" };
  if (kind < 19)
    return {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      scope: "openid profile mcp-api/read",
    };
  return {
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: "client_secret_post",
    scope: "openid email mcp-api/read mcp-api/write",
  };
}

/**
 * Registers the n-th bench client at the front door's `/register` (RFC 7591), from a documentation
 * address of its own (`CF-Connecting-IP`); returns the status and the parsed body.
 */
export async function registerClient(frontDoor, n) {
  const res = await fetch(`${frontDoor}/register`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "CF-Connecting-IP": `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`,
    },
    body: JSON.stringify({ ...buildClientMetadata(n), client_name: `Bench client ${n}` }),
  });
  return { status: res.status, body: await res.json(), n };
}

/**
 * One sign-in of a registered client through the front door as `user`, in the browser `jar`, for
 * `scope`, its code redeemed at `/token` with the client's own authentication method: its tokens.
 * @param {{client_id: string, client_secret?: string, token_endpoint_auth_method: string}} client
 * @param {{user: {username: string, password: string}, jar: import("@mcp-cognito-workers/test-support/sign-in").CookieJar, scope: string}} options
 */
export async function signInThroughFrontDoor(issuer, client, options) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL("/authorize", issuer);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: options.scope,
    state: randomBytes(8).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const { location } = await authorizeThroughFrontDoor(url.href, {
    ...options.user,
    jar: options.jar,
  });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  const form = {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  };
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  if (client.token_endpoint_auth_method === "client_secret_basic")
    headers.authorization = buildBasicAuthorization(client.client_id, client.client_secret);
  else if (client.token_endpoint_auth_method === "client_secret_post")
    Object.assign(form, { client_id: client.client_id, client_secret: client.client_secret });
  else form.client_id = client.client_id;
  const res = await fetch(`${issuer}/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * POSTs a token request to `url` with Basic credentials; its time in milliseconds and whether it
 * was answered 200.
 */
export async function timeTokenRequest(url, clientId, clientSecret, form) {
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: buildBasicAuthorization(clientId, clientSecret),
    },
    body: new URLSearchParams(form).toString(),
  });
  await res.text();
  return { ms: performance.now() - started, ok: res.status === 200 };
}

/** `Authorization: Basic` with the form-encoded id and secret. @see RFC 6749 §2.3.1 */
function buildBasicAuthorization(id, secret) {
  const encode = (value) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}
