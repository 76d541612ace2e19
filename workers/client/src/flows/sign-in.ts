// The start of a sign-in (either flow, and each step-up): discovery, registration where needed,
// and the authorization request, with what the callback must check kept in the session.

import type { Handler } from "hono";
import type * as oauth from "oauth4webapi";
import type { AppDeps, AppEnv, FlowRequest } from "../app-env";
import type { ClientConfig } from "../config";
import type { McpAction } from "../mcp/actions";
import {
  buildAuthorizationRequest,
  type ClientRegistration,
  discoverFromServer,
  getOrRegisterClient,
  type TraceStep,
  withOfflineAccess,
} from "../oauth";
import { createKvRegistrationStore } from "../session/registrations";
import { type Flow, isFlow, type Session, saveSession } from "../session/session";
import { buildClientMetadataUrl, buildStaticRegistration, discoverStatic } from "./servers";

/** A sign-in asked for by a step-up: the scopes to ask, the attempt, and the action to replay. */
export interface StepUpRequest {
  scopes: string[];
  attempts: number;
  replay?: McpAction;
}

/** Options of {@link startAuthorization}. */
export interface StartAuthorizationOptions extends FlowRequest {
  /** Set when a 403 `insufficient_scope` asked for more. */
  stepUp?: StepUpRequest;
}

/** Where a flow signs in: its authorization server, credentials, resource and scopes. */
interface SignInTarget {
  as: oauth.AuthorizationServer;
  registration: ClientRegistration;
  resource: string;
  scopes: string[];
}

/** The static flow's target: Cognito and its pre-registered client. */
async function findStaticTarget(config: ClientConfig, deps: AppDeps): Promise<SignInTarget> {
  return {
    as: await discoverStatic(config, deps),
    registration: buildStaticRegistration(config),
    resource: config.mcpServerUrl.href.replace(/\/$/, ""),
    scopes: config.staticScopes,
  };
}

/**
 * The discovery flow's target, found from the MCP server alone (401 → PRM → AS metadata →
 * CIMD or DCR); each step goes into the session's trace.
 */
async function findDiscoveryTarget(
  env: Env,
  config: ClientConfig,
  session: Session,
  deps: AppDeps,
): Promise<SignInTarget> {
  const trace: TraceStep[] = [];
  const record = (step: TraceStep) => trace.push(step);
  const found = await discoverFromServer(config.mcpServerUrl, { ...deps.net, trace: record });
  const { registration } = await getOrRegisterClient(
    found.authorizationServer,
    createKvRegistrationStore(env),
    {
      ...deps.net,
      trace: record,
      clientName: config.appName,
      redirectUris: [config.redirectUri],
      scope: found.protectedResource.scopesSupported?.join(" "),
      clientMetadataUrl: buildClientMetadataUrl(config),
    },
  );
  session.trace = trace;
  return {
    as: found.authorizationServer,
    registration,
    resource: found.protectedResource.resource,
    scopes: found.scopes,
  };
}

/** Starts an authorization for `flow`; returns the URL to send the browser to. */
export async function startAuthorization(
  flow: Flow,
  deps: AppDeps,
  options: StartAuthorizationOptions,
): Promise<URL> {
  const { env, config, session, stepUp } = options;
  const target =
    flow === "static"
      ? await findStaticTarget(config, deps)
      : await findDiscoveryTarget(env, config, session, deps);
  const request = await buildAuthorizationRequest(target.as, target.registration, {
    redirectUri: config.redirectUri,
    resource: target.resource,
    scopes: withOfflineAccess(stepUp?.scopes ?? target.scopes, target.as.scopes_supported),
  });
  session.pending = {
    ...request.pending,
    flow,
    ...(stepUp ? { stepUp: { requested: stepUp.scopes, attempts: stepUp.attempts } } : {}),
    ...(stepUp?.replay ? { replay: stepUp.replay } : {}),
  };
  await saveSession(env.CLIENT_STATE, session);
  return request.url;
}

/** `POST /login/:flow`: sends the browser to the flow's authorization endpoint (303). */
export function handleSignIn(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const flow = c.req.param("flow");
    if (flow === undefined || !isFlow(flow)) return c.notFound();
    const { config, session } = c.var;
    const url = await startAuthorization(flow, deps, { env: c.env, config, session });
    return c.redirect(url.href, 303);
  };
}
