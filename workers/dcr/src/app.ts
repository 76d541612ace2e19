import { requireSecrets } from "@mcp-cognito-workers/http";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { createSharedAppClients, type SharedAppClient } from "./app-clients/shared";
import { CognitoError } from "./cognito/client";
import { toOAuthError } from "./cognito/errors";
import type { CognitoPoolOptions } from "./cognito/operations";
import { loadSettings, type Settings } from "./config";
import { readBodyText } from "./front-door/http";
import { addFrontDoorRoutes } from "./front-door/routes";
import { auditRefusals } from "./http/audit-refusals";
import { REQUIRED_SECRETS } from "./http/require-secrets";
import {
  createClientLocks,
  createCognitoPacer,
  createReservation,
  getLimits,
  type LimitsStub,
} from "./limits/limits";
import { type CognitoDiscovery, createDiscoveryCache } from "./metadata/discovery";
import { buildAuthorizationServerMetadata } from "./metadata/metadata";
import { OAuthError } from "./oauth/oauth-error";
import { reconcile } from "./reconcile/reconcile";
import {
  assertInitialAccessToken,
  assertWithinManagementRateLimit,
  assertWithinRateLimit,
  audit,
  hashSource,
} from "./registration/abuse";
import {
  authenticateRegistration,
  deleteClient,
  type RegistrationContext,
  readClient,
  recordTokenUse,
  registerClient,
  toRegistrationResponse,
  updateClient,
} from "./registration/service";
import { sourceKey } from "./registration/source";

/** Largest accepted registration request body. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What tests inject; production uses the defaults. */
export interface AppDependencies {
  /** Used for Cognito's IdP API and discovery. */
  fetch?: typeof fetch;
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: (milliseconds: number) => Promise<void>;
  random?: () => number;
  /** Name of the RegistrationLimits object (tests give each facade its own); one by default. */
  limitsObjectName?: string;
}

/**
 * The paths a browser-based client calls from its page, and so the only ones with CORS (any
 * origin, never credentials): discovery, registration (MCP Inspector registers from the page),
 * and the token and revocation endpoints. Not the front door's pages (`/authorize`,
 * `/authorize/decision`, `/callback`), which a browser navigates to, nor RFC 7592 management
 * (`/register/<client_id>`), which no browser client here calls and whose token a page should not
 * hold: without CORS, a page cannot send its PUT or DELETE at all.
 */
export const CORS_PATHS = [
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/register",
  "/token",
  "/revoke",
] as const;

type AppEnv = { Bindings: Env };

/** Longest the daily run waits for a turn to call Cognito (it is paced itself). */
const RECONCILE_PACE_MAX_WAIT_MILLISECONDS = 60_000;

function cognitoOptions(
  settings: Settings,
  deps: AppDependencies,
  limits: LimitsStub,
  pace: { maxWaitMs?: number } = {},
): CognitoPoolOptions {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    ...settings.cognito,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    beforeCall: createCognitoPacer(limits, {
      limits: settings.cognitoCallLimits,
      now: deps.now ?? Date.now,
      sleep,
      ...pace,
    }),
  };
}

async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new OAuthError("invalid_request", "the request body must be application/json", 415);
  // Stops reading as soon as the limit is passed: an oversized body is never held whole.
  const text = await readBodyText(request, MAX_BODY_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError("invalid_client_metadata", "the request body is not valid JSON");
  }
}

function noStore(body: unknown, status: 200 | 201): Response {
  return Response.json(body, {
    status,
    headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
  });
}

/** The facade's HTTP surface: metadata, registration, and the scheduled reconciliation. */
export function createWorker(deps: AppDependencies = {}) {
  const now = deps.now ?? Date.now;
  const getDiscovery = createDiscoveryCache({ ...(deps.fetch ? { fetch: deps.fetch } : {}), now });
  const app = new Hono<AppEnv>();
  const limitsOf = (env: Env) => getLimits(env.REGISTRATION_LIMITS, deps.limitsObjectName);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // The shared app clients this isolate has used, with their secrets: most requests ask nothing.
  const appClientMemo = new Map<string, { client: SharedAppClient; until: number }>();

  const registrationContext = (
    env: Env,
    settings: Settings,
    issuer: string,
    pace: { maxWaitMs?: number } = {},
  ): RegistrationContext => {
    const limits = limitsOf(env);
    const locks = createClientLocks(limits, now);
    const cognito = cognitoOptions(settings, deps, limits, pace);
    return {
      kv: env.REGISTRATIONS,
      cognito,
      policy: settings.policy,
      issuer,
      now,
      locks,
      appClients: createSharedAppClients({
        limits,
        locks,
        cognito,
        seal: { secret: settings.frontDoor.key, now },
        memo: appClientMemo,
        sleep,
      }),
      appClientsPerGroup: settings.appClientsPerGroup,
    };
  };

  const contextOf = (env: Env, request: Request) => {
    const settings = loadSettings(env);
    const context = registrationContext(
      env,
      settings,
      settings.issuer ?? new URL(request.url).origin,
    );
    return { settings, context };
  };

  /** The source of a request (IPv4 address or IPv6 /64), and its hash for counts and logs. */
  const sourceOf = async (request: Request) => {
    const key = sourceKey(request.headers.get("CF-Connecting-IP") ?? "unknown");
    return { key, hash: await hashSource(key) };
  };

  /** A reservation under the daily caps for one app client made from `source`. */
  const reservationFor = (env: Env, settings: Settings, source: string) =>
    createReservation(limitsOf(env), {
      source,
      caps: {
        perSource: settings.registrationsPerSourcePerDay,
        global: settings.registrationsPerDay,
      },
      now,
    });

  const browserCors = cors({
    origin: "*",
    allowMethods: ["GET", "POST"],
    allowHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  });
  for (const path of CORS_PATHS) app.use(path, browserCors);
  app.use(requireSecrets(REQUIRED_SECRETS));

  addFrontDoorRoutes(app, {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now,
    getDiscovery,
    contextOf,
    // A CIMD client's first use creates an app client: the same limits as POST /register.
    creationGuard: (env, request, settings) => async () => {
      const source = await sourceOf(request);
      try {
        await assertWithinRateLimit(env.REGISTER_RATE_LIMITER, source.key);
        await reservationFor(env, settings, source.hash).take();
      } catch (error) {
        if (error instanceof OAuthError)
          audit({
            action: "cimd_create",
            outcome: "refused",
            source: source.hash,
            status: error.status,
          });
        throw error;
      }
    },
    // Bookkeeping never fails a token response: the tokens are already issued.
    recordTokenUse: (context, clientId) =>
      recordTokenUse(clientId, context).catch((error: unknown) =>
        console.error(
          JSON.stringify({ event: "token_use_not_recorded", clientId, error: String(error) }),
        ),
      ),
  });

  const metadata = async (env: Env, request: Request) => {
    const { settings, context } = contextOf(env, request);
    const discovery: CognitoDiscovery = await getDiscovery(settings.cognito.issuer);
    return Response.json(
      buildAuthorizationServerMetadata(discovery, context.issuer, settings.policy, {
        cimdEnabled: settings.frontDoor.cimdEnabled,
      }),
      {
        headers: { "Cache-Control": "public, max-age=300" },
      },
    );
  };
  app.get("/.well-known/oauth-authorization-server", (c) => metadata(c.env, c.req.raw));
  app.get("/.well-known/openid-configuration", (c) => metadata(c.env, c.req.raw));

  // Every refusal of the registration endpoints is audited here, whatever refused it.
  for (const path of ["/register", "/register/:clientId"])
    app.use(path, auditRefusals({ sourceOf }));

  app.post("/register", async (c) => {
    const { settings, context } = contextOf(c.env, c.req.raw);
    const { key, hash: source } = await sourceOf(c.req.raw);
    await assertWithinRateLimit(c.env.REGISTER_RATE_LIMITER, key);
    await assertInitialAccessToken(settings.initialAccessToken, c.req.header("Authorization"));
    const body = await readJsonBody(c.req.raw);
    // Counted once the metadata is valid (a bad request uses up no one's cap), given back if the
    // client is not made after all.
    const reservation = reservationFor(c.env, settings, source);
    let registered: Awaited<ReturnType<typeof registerClient>>;
    try {
      registered = await registerClient(body, context, { beforeCreate: () => reservation.take() });
    } catch (error) {
      await reservation
        .cancel()
        .catch((cancelError: unknown) =>
          console.error(
            JSON.stringify({ event: "reservation_not_cancelled", error: String(cancelError) }),
          ),
        );
      throw error;
    }
    const { record, clientSecret, registrationAccessToken } = registered;
    audit({
      action: "register",
      outcome: "created",
      clientId: record.clientId,
      source,
      clientName: record.metadata.clientName,
      authMethod: record.metadata.tokenEndpointAuthMethod,
      grantTypes: record.metadata.grantTypes,
      scope: record.metadata.scope,
      redirectUris: record.metadata.redirectUris,
    });
    return noStore(
      toRegistrationResponse(record, context.issuer, { clientSecret, registrationAccessToken }),
      201,
    );
  });

  /** An RFC 7592 request: authenticated by its token, then limited per client. @see RFC 7592 §3 */
  const managed = async (c: Context<AppEnv>) => {
    const { context } = contextOf(c.env, c.req.raw);
    const record = await authenticateRegistration(
      c.req.param("clientId") ?? "",
      c.req.header("Authorization"),
      context,
    );
    await assertWithinManagementRateLimit(c.env.MANAGE_RATE_LIMITER, record.clientId);
    return { context, record };
  };

  app.get("/register/:clientId", async (c) => {
    const { context, record } = await managed(c);
    return noStore(await readClient(record, context), 200);
  });

  app.put("/register/:clientId", async (c) => {
    const { context, record } = await managed(c);
    const body = await readJsonBody(c.req.raw);
    const response = await updateClient(record, body, context);
    audit({
      action: "update",
      clientId: record.clientId,
      scope: response.scope,
      redirectUris: response.redirect_uris,
    });
    return noStore(response, 200);
  });

  app.delete("/register/:clientId", async (c) => {
    const { context, record } = await managed(c);
    await deleteClient(record, context);
    audit({ action: "delete", clientId: record.clientId, reason: "RFC 7592" });
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  });

  app.notFound(() => new OAuthError("invalid_request", "not found", 404).toResponse());

  app.onError((error) => {
    if (error instanceof OAuthError) return error.toResponse();
    if (error instanceof CognitoError) return toOAuthError(error).toResponse();
    console.error(JSON.stringify({ event: "unhandled", error: String(error), stack: error.stack }));
    return new OAuthError("server_error", "internal error", 500).toResponse();
  });

  return {
    fetch: app.fetch,
    async scheduled(_controller, env) {
      const settings = loadSettings(env);
      const pace = { maxWaitMs: RECONCILE_PACE_MAX_WAIT_MILLISECONDS };
      const limits = limitsOf(env);
      const report = await reconcile({
        kv: env.REGISTRATIONS,
        cognito: cognitoOptions(settings, deps, limits, pace),
        staleAfterDays: settings.staleAfterDays,
        unusedClientHours: settings.unusedClientHours,
        locks: createClientLocks(limits, now),
        sharedAppClients: limits,
        now,
        ...(settings.issuer
          ? { relay: registrationContext(env, settings, settings.issuer, pace) }
          : {}),
        sleep,
      });
      console.log(JSON.stringify({ event: "reconciled", ...report }));
    },
  } satisfies ExportedHandler<Env>;
}
