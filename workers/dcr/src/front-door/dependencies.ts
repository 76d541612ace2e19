// The front door: `/authorize` with per-client consent, the callback relay that binds each
// transaction to the browser that started it, and `/token` and `/revoke` relayed to Cognito.
// Cognito still authenticates the person and issues every token; this decides which client may
// ask, with the person's consent, and where the answer may go.

import type { Context } from "hono";
import type { Config } from "../config";
import type { CognitoDiscovery } from "../metadata/discovery";
import type { RegistrationContext } from "../registration/context";
import type { ClientResolution, CreationGuard } from "./clients";
import type { SealOptions } from "./seal";

/** What the front door's handlers need from the app. */
export interface FrontDoorDependencies {
  fetch?: typeof fetch;
  now: () => number;
  getDiscovery: (issuer: string) => Promise<CognitoDiscovery>;
  contextOf: (env: Env, request: Request) => { config: Config; context: RegistrationContext };
  /** Limits app-client creation for a request (CIMD first use). */
  creationGuard: (env: Env, request: Request, config: Config) => CreationGuard;
  /** Records that `/token` issued tokens to a DCR registration (the cleanup of unused ones). */
  recordTokenUse: (context: RegistrationContext, clientId: string) => Promise<void>;
}

/** The request context of a front-door handler. */
export type AppContext = Context<{ Bindings: Env }>;

/** How the front door seals its values (transactions, codes, refresh tokens, consent). */
export function sealOptionsOf(
  deps: Pick<FrontDoorDependencies, "now">,
  config: Config,
): SealOptions {
  return { secret: config.frontDoor.key, now: deps.now };
}

/** What resolving a client needs. */
export function resolutionOf(
  deps: Pick<FrontDoorDependencies, "fetch">,
  config: Config,
  context: RegistrationContext,
): ClientResolution {
  return {
    registration: context,
    cimdEnabled: config.frontDoor.cimdEnabled,
    cimdAllowLocalUrls: config.frontDoor.cimdAllowLocalUrls,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
}
