// What every handler is built from: the injected dependencies (tests inject; production uses the
// defaults) and, per request, the configuration and the registration context.

import { logEvent, OAuthError, readOncePerEnv } from "@mcp-cognito-workers/http";
import { createSharedAppClients, type SharedAppClient } from "./app-clients/shared";
import type { CognitoPoolOptions } from "./cognito/operations";
import { type Config, readConfig } from "./config";
import type { FrontDoorDependencies } from "./front-door/dependencies";
import {
  createClientLocks,
  createCognitoPacer,
  createReservation,
  getLimits,
  type LimitsStub,
} from "./limits/limits";
import { createDiscoveryCache } from "./metadata/discovery";
import { assertWithinRateLimit, audit, hashSource } from "./registration/abuse";
import type { RegistrationContext } from "./registration/context";
import { recordTokenUse } from "./registration/use-records";
import { sourceKey } from "./storage/keys";

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

/** How Cognito's IdP API is called: the pool, the injected fetch, and the pace of calls. */
function cognitoOptions(
  config: Config,
  deps: AppDependencies,
  limits: LimitsStub,
  pace: { maxWaitMs?: number } = {},
): CognitoPoolOptions {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    ...config.cognito,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    beforeCall: createCognitoPacer(limits, {
      limits: config.cognitoCallLimits,
      now: deps.now ?? Date.now,
      sleep,
      ...pace,
    }),
  };
}

/** The wiring of one worker instance, shared by its handlers. */
export type Wiring = ReturnType<typeof createWiring>;

/** Builds the contexts the handlers work with from `deps` and, per request, the `Env`. */
export function createWiring(deps: AppDependencies = {}) {
  const now = deps.now ?? Date.now;
  const getDiscovery = createDiscoveryCache({ ...(deps.fetch ? { fetch: deps.fetch } : {}), now });
  const limitsOf = (env: Env) => getLimits(env.REGISTRATION_LIMITS, deps.limitsObjectName);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // The shared app clients this isolate has used, with their secrets: most requests ask nothing.
  const appClientMemo = new Map<string, { client: SharedAppClient; until: number }>();

  const registrationContext = (
    env: Env,
    config: Config,
    issuer: string,
    pace: { maxWaitMs?: number } = {},
  ): RegistrationContext => {
    const limits = limitsOf(env);
    const locks = createClientLocks(limits, now);
    const cognito = cognitoOptions(config, deps, limits, pace);
    return {
      kv: env.REGISTRATIONS,
      cognito,
      policy: config.policy,
      issuer,
      now,
      locks,
      appClients: createSharedAppClients({
        limits,
        locks,
        cognito,
        seal: { secret: config.frontDoor.key, now },
        memo: appClientMemo,
        sleep,
      }),
      appClientsPerGroup: config.appClientsPerGroup,
    };
  };

  // Parsed once per env object (the runtime passes the same one while the vars stay the same).
  const configOf = readOncePerEnv(readConfig);

  const contextOf = (env: Env, request: Request) => {
    const config = configOf(env);
    const context = registrationContext(env, config, config.issuer ?? new URL(request.url).origin);
    return { config, context };
  };

  /** The source of a request (IPv4 address or IPv6 /64), and its hash for counts and logs. */
  const sourceOf = async (request: Request) => {
    const key = sourceKey(request.headers.get("CF-Connecting-IP") ?? "unknown");
    return { key, hash: await hashSource(key) };
  };

  /** A reservation under the daily caps for one app client made from `source`. */
  const reservationFor = (env: Env, config: Config, source: string) =>
    createReservation(limitsOf(env), {
      source,
      caps: {
        perSource: config.registrationsPerSourcePerDay,
        global: config.registrationsPerDay,
      },
      now,
    });

  const frontDoor: FrontDoorDependencies = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now,
    getDiscovery,
    contextOf,
    // A CIMD client's first use creates an app client: the same limits as POST /register.
    creationGuard: (env, request, config) => async () => {
      const source = await sourceOf(request);
      try {
        await assertWithinRateLimit(env.REGISTER_RATE_LIMITER, source.key);
        await reservationFor(env, config, source.hash).take();
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
        logEvent("error", "token_use_not_recorded", { clientId, error: String(error) }),
      ),
  };

  return {
    now,
    sleep,
    getDiscovery,
    configOf,
    limitsOf,
    cognitoOptions: (config: Config, limits: LimitsStub, pace: { maxWaitMs?: number } = {}) =>
      cognitoOptions(config, deps, limits, pace),
    registrationContext,
    contextOf,
    sourceOf,
    reservationFor,
    frontDoor,
  };
}
