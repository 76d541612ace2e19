import { Hono } from "hono";
import { cors } from "hono/cors";
import { CognitoError } from "./cognito/client";
import { toOAuthError } from "./cognito/errors";
import type { CognitoPoolOptions } from "./cognito/operations";
import { loadSettings, type Settings } from "./config";
import { readBodyText } from "./front-door/http";
import { addFrontDoorRoutes } from "./front-door/routes";
import { type CognitoDiscovery, createDiscoveryCache } from "./metadata/discovery";
import { buildAuthorizationServerMetadata } from "./metadata/metadata";
import { OAuthError } from "./oauth/oauth-error";
import { reconcile } from "./reconcile/reconcile";
import {
  assertInitialAccessToken,
  assertUnderDailyCap,
  assertWithinRateLimit,
  audit,
  countRegistration,
  hashSource,
  utcDay,
} from "./registration/abuse";
import {
  authenticateRegistration,
  deleteClient,
  type RegistrationContext,
  readClient,
  registerClient,
  toRegistrationResponse,
  updateClient,
} from "./registration/service";
import { sourceDayKey } from "./storage/keys";

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
}

type AppEnv = { Bindings: Env };

function cognitoOptions(settings: Settings, deps: AppDependencies): CognitoPoolOptions {
  return {
    ...settings.cognito,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
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

  const contextOf = (env: Env, request: Request) => {
    const settings = loadSettings(env);
    const context: RegistrationContext = {
      kv: env.REGISTRATIONS,
      cognito: cognitoOptions(settings, deps),
      policy: settings.policy,
      issuer: settings.issuer ?? new URL(request.url).origin,
      now,
    };
    return { settings, context };
  };

  app.use("*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }));

  addFrontDoorRoutes(app, {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now,
    getDiscovery,
    contextOf,
    // A CIMD client's first use creates an app client: the same limits as POST /register.
    creationGuard: (env, request, settings) => async () => {
      const ip = request.headers.get("CF-Connecting-IP") ?? "unknown";
      const source = await hashSource(ip);
      try {
        await assertWithinRateLimit(env.REGISTER_RATE_LIMITER, ip);
        const day = utcDay(now());
        const count = await assertUnderDailyCap(
          env.REGISTRATIONS,
          sourceDayKey(day, source),
          settings.registrationsPerSourcePerDay,
        );
        if (settings.registrationsPerSourcePerDay > 0)
          await countRegistration(env.REGISTRATIONS, day, source, count);
      } catch (error) {
        if (error instanceof OAuthError)
          audit({ action: "cimd_create", outcome: "refused", source, status: error.status });
        throw error;
      }
    },
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

  app.post("/register", async (c) => {
    const { settings, context } = contextOf(c.env, c.req.raw);
    const ip = c.req.header("CF-Connecting-IP") ?? "unknown";
    const source = await hashSource(ip);
    try {
      await assertWithinRateLimit(c.env.REGISTER_RATE_LIMITER, ip);
      await assertInitialAccessToken(settings.initialAccessToken, c.req.header("Authorization"));
    } catch (error) {
      if (error instanceof OAuthError)
        audit({
          action: "register",
          outcome: "refused",
          source,
          error: error.code,
          status: error.status,
        });
      throw error;
    }
    const body = await readJsonBody(c.req.raw);
    const day = utcDay(now());
    const count = await assertUnderDailyCap(
      c.env.REGISTRATIONS,
      sourceDayKey(day, source),
      settings.registrationsPerSourcePerDay,
    ).catch((error: unknown) => {
      if (error instanceof OAuthError)
        audit({
          action: "register",
          outcome: "refused",
          source,
          error: "daily_cap",
          status: error.status,
        });
      throw error;
    });
    const { record, clientSecret, registrationAccessToken } = await registerClient(body, context);
    if (settings.registrationsPerSourcePerDay > 0)
      await countRegistration(c.env.REGISTRATIONS, day, source, count).catch((error: unknown) =>
        console.error(JSON.stringify({ event: "count_failed", error: String(error) })),
      );
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

  app.get("/register/:clientId", async (c) => {
    const { context } = contextOf(c.env, c.req.raw);
    const record = await authenticateRegistration(
      c.req.param("clientId"),
      c.req.header("Authorization"),
      context,
    );
    return noStore(await readClient(record, context), 200);
  });

  app.put("/register/:clientId", async (c) => {
    const { context } = contextOf(c.env, c.req.raw);
    const record = await authenticateRegistration(
      c.req.param("clientId"),
      c.req.header("Authorization"),
      context,
    );
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
    const { context } = contextOf(c.env, c.req.raw);
    const record = await authenticateRegistration(
      c.req.param("clientId"),
      c.req.header("Authorization"),
      context,
    );
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
      const report = await reconcile({
        kv: env.REGISTRATIONS,
        cognito: cognitoOptions(settings, deps),
        staleAfterDays: settings.staleAfterDays,
        now,
        ...(settings.issuer
          ? {
              relay: {
                kv: env.REGISTRATIONS,
                cognito: cognitoOptions(settings, deps),
                policy: settings.policy,
                issuer: settings.issuer,
                now,
              },
            }
          : {}),
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      });
      console.log(JSON.stringify({ event: "reconciled", ...report }));
    },
  } satisfies ExportedHandler<Env>;
}
