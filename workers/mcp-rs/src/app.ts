import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { extractBearerToken } from "./auth/bearer";
import { buildBearerChallenge } from "./auth/challenge";
import { recordClientSeen } from "./auth/client-seen";
import { GrantLookup } from "./auth/grants";
import { JwksCache } from "./auth/jwks";
import { RevocationCheck } from "./auth/revocation";
import { type Access, findMissingScopes, scopesFor } from "./auth/scopes";
import { VerifiedTokenCache } from "./auth/verified-tokens";
import { type Principal, verifyAccessToken } from "./auth/verify-token";
import { parseConfig, type ResourceServerConfig } from "./config";
import { parseNewContext, toWireContext } from "./contexts/context";
import { userContexts } from "./contexts/store";
import { AuthorizationServerMetadataCache } from "./discovery/authorization-server";
import {
  buildProtectedResourceMetadata,
  buildResourceMetadataUrl,
  MCP_PATH,
  PRM_PATH,
  resolveResource,
} from "./discovery/protected-resource";
import { errorBody, findJsonRpcId, JsonRpcError, OAuthError, RequestError } from "./http/errors";
import { logEvent } from "./http/log";
import { isOriginAllowed } from "./http/origin";
import { createMcpEndpoint } from "./mcp/endpoint";
import { isSupportedProtocolVersion, listSupportedVersionsFor } from "./mcp/protocol-versions";
import { classifyMcpRequest, scopesToChallenge } from "./mcp/scope-policy";

/** Largest request body accepted on /mcp and /v1, in bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Options of {@link createApp}; tests inject the network and the clock. */
export interface AppOptions {
  /** Fetch for Cognito and the facade. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

type AppEnv = {
  Bindings: Env;
  Variables: {
    config: ResourceServerConfig;
    resource: string;
    principal: Principal;
    /** The access token the principal was read from. */
    token: string;
    /** Background work of a request served without an execution context (tests). */
    pending?: Promise<void>;
  };
};

/**
 * Builds the resource server. Its caches (JWKS, verified tokens, facade metadata) and its MCP
 * handler live as long as the app.
 */
export function createApp(options: AppOptions = {}) {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const jwksByIssuer = new Map<string, JwksCache>();
  const asMetadata = new AuthorizationServerMetadataCache({ fetch: fetchFn, now });
  const clientsSeenAt = new Map<string, number>();
  const revocations = new RevocationCheck({ now });
  const verifiedTokens = new VerifiedTokenCache({ now });
  const serveMcp = createMcpEndpoint();
  const grants = new GrantLookup({ now });

  const keysFor = (issuer: string) => {
    let keys = jwksByIssuer.get(issuer);
    if (!keys) {
      keys = new JwksCache({ issuer, fetch: fetchFn, now });
      jwksByIssuer.set(issuer, keys);
    }
    return keys;
  };

  const authenticate = createMiddleware<AppEnv>(async (c, next) => {
    const token = extractBearerToken(c.req.raw);
    if (token === undefined) throw new OAuthError(undefined, "an access token is required", 401);
    const { config } = c.var;
    const principal = await verifyAccessToken(token, keysFor(config.issuer), {
      issuer: config.issuer,
      resource: c.var.resource,
      requireAudience: config.requireAudience,
      now,
      cache: verifiedTokens,
    });
    // A shared app client's token speaks for the registration its sign-in was made for: that
    // registration's tombstone refuses it, as a client's own tombstone refuses its own tokens.
    const registration =
      principal.originJti === undefined
        ? undefined
        : await grants.registrationOf(c.env.REGISTRATIONS, principal.originJti);
    const client = registration ?? principal.clientId;
    if (
      (await revocations.isRevoked(c.env.REGISTRATIONS, principal.clientId)) ||
      (registration !== undefined &&
        (await revocations.isRevoked(c.env.REGISTRATIONS, registration)))
    )
      throw new OAuthError("invalid_token", "the client's registration was deleted", 401);
    c.set("principal", registration === undefined ? principal : { ...principal, registration });
    c.set("token", token);
    runAfterResponse(
      c,
      recordClientSeen(c.env.REGISTRATIONS, client, now(), clientsSeenAt).catch((error: unknown) =>
        logEvent("warn", "client_seen_write_failed", {
          clientId: client,
          message: error instanceof Error ? error.message : String(error),
        }),
      ),
    );
    await next();
  });

  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = now();
    const config = parseConfig(c.env);
    c.set("config", config);
    c.set("resource", resolveResource(config, c.req.url));
    await next();
    await c.var.pending;
    logEvent(c.res.status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: now() - started,
      clientId: c.var.principal?.clientId,
      sub: c.var.principal?.sub,
    });
  });

  app.onError((error, c) => renderError(error, c));
  app.notFound(() => {
    throw new RequestError("not_found", "no such route", 404);
  });

  // Public metadata: any origin may read it.
  app.use("/.well-known/*", cors({ origin: "*", exposeHeaders: [] }));

  app.get(PRM_PATH, (c) => {
    const root = new URL(c.var.resource).origin;
    return c.json(buildProtectedResourceMetadata(root, c.var.config), 200, CACHEABLE);
  });
  app.get(`${PRM_PATH}${MCP_PATH}`, (c) =>
    c.json(buildProtectedResourceMetadata(c.var.resource, c.var.config), 200, CACHEABLE),
  );
  app.get("/.well-known/oauth-authorization-server", async (c) =>
    c.json(await asMetadata.get(c.var.config.authorizationServer), 200, CACHEABLE),
  );

  /** The unauthenticated trivial route (health checks; the benchmark's baseline). */
  app.get("/health", (c) => c.json({ status: "ok" }));

  for (const path of [MCP_PATH, "/v1/*"]) {
    app.use(path, guardOrigin);
    app.use(
      path,
      cors({
        // guardOrigin has refused every origin not allowed, so what is left may be echoed.
        origin: (origin) => origin,
        allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
        allowHeaders: [
          "authorization",
          "content-type",
          "accept",
          "mcp-protocol-version",
          "mcp-method",
          "mcp-name",
          "mcp-session-id",
          "last-event-id",
        ],
        exposeHeaders: ["WWW-Authenticate", "Mcp-Session-Id", "Mcp-Protocol-Version"],
        maxAge: 600,
      }),
    );
    app.use(
      path,
      bodyLimit({
        maxSize: MAX_REQUEST_BYTES,
        onError: () => {
          throw new RequestError(
            "payload_too_large",
            `the request body exceeds ${MAX_REQUEST_BYTES} bytes`,
            413,
          );
        },
      }),
    );
    app.use(path, authenticate);
  }

  app.post(MCP_PATH, async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new JsonRpcError(-32700, "Parse error: invalid JSON", 400);
    });
    requireProtocolVersion(c.req.header("mcp-protocol-version"), body);
    // Decided from the same parsed body the SDK is given.
    requireAccess(c, classifyMcpRequest(body));
    const { principal, token } = c.var;
    return serveMcp(c.req.raw, body, {
      principal,
      token,
      contexts: userContexts(c.env, principal),
      now,
    });
  });
  app.on(["GET", "DELETE"], MCP_PATH, () => {
    // No standalone SSE stream and no sessions in stateless mode.
    throw new RequestError("method_not_allowed", "use POST for MCP requests", 405, {
      allow: "POST",
    });
  });

  app.get("/v1/contexts", async (c) => {
    requireAccess(c, new Set(["read"]));
    const contexts = await userContexts(c.env, c.var.principal).list();
    return c.json({ contexts: contexts.map(toWireContext) }, 200, NO_STORE);
  });
  app.post("/v1/contexts", async (c) => {
    requireAccess(c, new Set(["read", "write"]));
    const body = await c.req.json().catch(() => {
      throw new RequestError("invalid_request", "the body must be JSON", 400);
    });
    const created = await userContexts(c.env, c.var.principal).create(parseNewContext(body), now());
    if (!created)
      throw new RequestError("limit_exceeded", "too many contexts; delete some first", 409);
    return c.json(toWireContext(created), 201, NO_STORE);
  });

  return app;
}

const NO_STORE = { "cache-control": "no-store" };
const CACHEABLE = { "cache-control": "public, max-age=300" };

/** 403 `insufficient_scope` naming every scope the operation needs, unless the token has them. */
function requireAccess(c: Context<AppEnv>, access: ReadonlySet<Access>): void {
  const needed = scopesFor(access, c.var.config);
  if (findMissingScopes(c.var.principal.scopes, needed).length > 0)
    throw new OAuthError(
      "insufficient_scope",
      `this operation needs the scopes ${needed.join(" ")}`,
      403,
      { scope: needed },
    );
}

/** Lets work finish after the response (`waitUntil`); awaits it where there is no execution context. */
function runAfterResponse(c: Context<AppEnv>, work: Promise<void>): void {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as ExecutionContext;
  } catch {
    ctx = undefined;
  }
  if (ctx) ctx.waitUntil(work);
  else c.set("pending", work);
}

/** Refuses browser requests from origins not allowed (DNS rebinding). */
const guardOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  if (
    origin !== undefined &&
    !isOriginAllowed(origin, new URL(c.req.url).origin, c.var.config.allowedOrigins)
  )
    throw new RequestError("forbidden_origin", "this origin may not call this server", 403);
  await next();
});

/**
 * 400 with JSON-RPC error -32022 for an `MCP-Protocol-Version` this server does not serve, naming
 * the revisions it serves to a client of the request's era (`listSupportedVersionsFor`).
 * @see MCP 2026-07-28 basic/transports/streamable-http §Protocol Version Header
 */
function requireProtocolVersion(version: string | undefined, body: unknown): void {
  if (version === undefined || isSupportedProtocolVersion(version)) return;
  const requested = version.slice(0, 40);
  throw new JsonRpcError(-32022, `Unsupported protocol version: ${requested}`, 400, {
    id: findJsonRpcId(body),
    data: { supported: listSupportedVersionsFor(body), requested },
  });
}

/** The one place errors become responses: JSON bodies, no-store, challenges on 401/403. */
function renderError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof OAuthError) {
    const { config, resource } = c.var;
    const challenge = buildBearerChallenge({
      error: error.code,
      errorDescription: error.code ? error.description : undefined,
      scope: error.options.scope ?? (config ? scopesToChallenge(config) : undefined),
      resourceMetadata: buildResourceMetadataUrl(resource),
    });
    return c.json(errorBody(error.code ?? "invalid_token", error.description), error.status, {
      ...NO_STORE,
      "www-authenticate": challenge,
    });
  }
  if (error instanceof RequestError)
    return c.json(errorBody(error.code, error.description), error.status, {
      ...NO_STORE,
      ...error.headers,
    });
  if (error instanceof JsonRpcError)
    return c.json(
      {
        jsonrpc: "2.0",
        id: error.options.id ?? null,
        error: {
          code: error.code,
          message: error.description,
          ...(error.options.data === undefined ? {} : { data: error.options.data }),
        },
      },
      error.status,
      NO_STORE,
    );
  if (error instanceof HTTPException)
    return c.json(
      errorBody("invalid_request", error.message || "bad request"),
      error.status,
      NO_STORE,
    );
  logEvent("error", "unhandled_error", {
    name: error.name,
    message: error.message,
    stack: error.stack,
  });
  return c.json(errorBody("server_error", "internal error"), 500, NO_STORE);
}
