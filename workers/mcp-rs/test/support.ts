import { env } from "cloudflare:test";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { createApp } from "../src/app";
import type { Principal } from "../src/auth/verify-token";
import type { McpCaller } from "../src/mcp/server";

/** Values of wrangler.toml, as the worker sees them in tests. */
export const ISSUER = env.COGNITO_ISSUER;
export const FACADE = env.AUTHORIZATION_SERVER;
export const READ = env.READ_SCOPE;
export const WRITE = env.WRITE_SCOPE;
export const ORIGIN = "http://localhost:3001";
export const RESOURCE = `${ORIGIN}/mcp`;
export const PRM_URL = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`;
export const CLIENT_ID = "testclient0000000000000001";
/** Start of the injected clock, epoch ms. */
export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

/** An RS256 signing key with its public JWK. */
export async function makeKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, jwk };
}
export type SigningKey = Awaited<ReturnType<typeof makeKey>>;

/** A fake Cognito (discovery + JWKS) and facade, recording every call. */
export class FakeUpstream {
  readonly calls: string[] = [];
  keys: JWK[] = [];
  /** When set, every call fails as if Cognito were unreachable. */
  down = false;
  /** The `issuer` the discovery document claims. */
  discoveryIssuer = ISSUER;
  /** The `jwks_uri` the discovery document names. */
  jwksUri = `${ISSUER}/.well-known/jwks.json`;
  /** When set, the JWKS answers with a redirect there. */
  jwksRedirect: string | undefined;
  facadeMetadata: Record<string, unknown> | undefined = {
    issuer: FACADE,
    authorization_endpoint: "http://localhost:9229/oauth2/authorize",
    token_endpoint: "http://localhost:9229/oauth2/token",
    registration_endpoint: `${FACADE}/register`,
    code_challenge_methods_supported: ["S256"],
  };

  /** Follows redirects unless asked not to, as the runtime's fetch does. */
  readonly fetch: typeof fetch = async (input, init) => {
    const res = await this.answer(new Request(input).url);
    const location = res.headers.get("location");
    if (location && (init?.redirect ?? "follow") === "follow") return this.fetch(location, init);
    return res;
  };

  private answer = async (url: string): Promise<Response> => {
    this.calls.push(url);
    if (this.down) throw new TypeError("fetch failed");
    if (url === `${ISSUER}/.well-known/openid-configuration`)
      return Response.json({ issuer: this.discoveryIssuer, jwks_uri: this.jwksUri });
    if (url === `${ISSUER}/.well-known/jwks.json` && this.jwksRedirect)
      return new Response(null, { status: 302, headers: { location: this.jwksRedirect } });
    if (url.endsWith("/jwks.json")) return Response.json({ keys: this.keys });
    if (url === `${FACADE}/.well-known/oauth-authorization-server` && this.facadeMetadata)
      return Response.json(this.facadeMetadata);
    return new Response("not found", { status: 404 });
  };

  count(suffix: string): number {
    return this.calls.filter((url) => url.endsWith(suffix)).length;
  }
}

/** Claims of a Cognito access token for the demo user, valid at `now`. */
export function accessClaims(now: number, overrides: JWTPayload = {}): JWTPayload {
  const iat = Math.floor(now / 1000);
  return {
    sub: "11111111-2222-4333-8444-555555555555",
    iss: ISSUER,
    client_id: CLIENT_ID,
    origin_jti: crypto.randomUUID(),
    event_id: crypto.randomUUID(),
    token_use: "access",
    scope: `openid ${READ} ${WRITE}`,
    auth_time: iat,
    iat,
    exp: iat + 3600,
    jti: crypto.randomUUID(),
    username: "demo",
    version: 2,
    ...overrides,
  };
}

/** Signs claims as Cognito does (RS256, `kid`, no `typ`). */
export function sign(claims: JWTPayload, key: SigningKey, header: { alg?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg ?? "RS256", kid: key.kid })
    .sign(key.privateKey);
}

/** The app with a fake upstream and a settable clock; `call` goes through the real bindings. */
export async function setup() {
  const key = await makeKey("key-1");
  const upstream = new FakeUpstream();
  upstream.keys = [key.jwk];
  const clock = { now: T0 };
  const app = createApp({ fetch: upstream.fetch, now: () => clock.now });
  const call = async (path: string, init: RequestInit = {}): Promise<Response> =>
    app.request(new URL(path, ORIGIN).toString(), init, env);
  const token = (overrides: JWTPayload = {}, signer: SigningKey = key) =>
    sign(accessClaims(clock.now, overrides), signer);
  return { app, key, upstream, clock, call, token };
}

/** Headers of an MCP POST. */
export function mcpHeaders(token?: string, extra: Record<string, string> = {}) {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

let nextId = 1;

/** A JSON-RPC request body. */
export function rpc(method: string, params: Record<string, unknown> = {}) {
  return JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params });
}

/** Calls a tool; returns the HTTP response and the parsed JSON-RPC answer. */
export async function callTool(
  call: (path: string, init?: RequestInit) => Promise<Response>,
  token: string,
  name: string,
  args: Record<string, unknown> = {},
) {
  const res = await call("/mcp", {
    method: "POST",
    headers: mcpHeaders(token),
    body: rpc("tools/call", { name, arguments: args }),
  });
  const body = res.headers.get("content-type")?.includes("json")
    ? ((await res.json()) as ToolAnswer)
    : undefined;
  return { res, body };
}

/** The parts of a tools/call answer tests read. */
export interface ToolAnswer {
  result?: {
    isError?: boolean;
    content: { type: string; text: string }[];
    structuredContent?: Record<string, unknown>;
  };
  error?: { code: number; message: string };
}

/** The `_meta` envelope every 2026-07-28 request carries instead of an `initialize` handshake. */
export const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/** Headers of a 2026-07-28 POST: the version, `Mcp-Method`, and `Mcp-Name` where one applies. */
export function modernHeaders(
  token: string | undefined,
  method: string,
  params: Record<string, unknown> = {},
  extra: Record<string, string> = {},
) {
  const name =
    method === "resources/read"
      ? params.uri
      : method === "tools/call" || method === "prompts/get"
        ? params.name
        : undefined;
  return mcpHeaders(token, {
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...(typeof name === "string" ? { "mcp-name": name } : {}),
    ...extra,
  });
}

/** A 2026-07-28 JSON-RPC request body: its params carry {@link ENVELOPE}. */
export function modernRpc(
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = ENVELOPE,
) {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: nextId++,
    method,
    params: { ...params, _meta: meta },
  });
}

/** A JSON-RPC answer as tests read it. */
export interface RpcAnswer {
  id?: number | string | null;
  result?: Record<string, unknown> & {
    resultType?: string;
    ttlMs?: number;
    cacheScope?: string;
    _meta?: Record<string, unknown>;
  };
  error?: { code: number; message: string; data?: unknown };
}

/** Sends a 2026-07-28 request with headers that agree with its body; returns the parsed answer. */
export async function callModern(
  call: (path: string, init?: RequestInit) => Promise<Response>,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
) {
  const res = await call("/mcp", {
    method: "POST",
    headers: modernHeaders(token, method, params),
    body: modernRpc(method, params),
  });
  return { res, body: (await res.json()) as RpcAnswer };
}

/** Sends an `initialize`-era request (2025-11-25 header, no envelope); returns the parsed answer. */
export async function callLegacy(
  call: (path: string, init?: RequestInit) => Promise<Response>,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
) {
  const res = await call("/mcp", {
    method: "POST",
    headers: mcpHeaders(token),
    body: rpc(method, params),
  });
  return { res, body: (await res.json()) as RpcAnswer };
}

/**
 * An MCP caller as the token check makes one, for calling the endpoint directly: its own subject
 * (a new one unless given), its own contexts.
 */
export function buildCaller(
  username: string,
  { scopes = [READ, WRITE], sub = crypto.randomUUID() }: { scopes?: string[]; sub?: string } = {},
): McpCaller {
  const principal: Principal = {
    sub,
    username,
    clientId: CLIENT_ID,
    scopes,
    audience: [],
    expiresAt: Math.floor(T0 / 1000) + 3600,
    originJti: undefined,
  };
  return {
    principal,
    token: `token-of-${username}`,
    contexts: env.USER_CONTEXTS.getByName(principal.sub),
    now: () => T0,
  };
}

/** The JSON-RPC messages of an answer, whether one JSON body or an SSE stream. */
export async function messagesOf(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  if (!res.headers.get("content-type")?.includes("text/event-stream")) return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice("data: ".length)));
}
