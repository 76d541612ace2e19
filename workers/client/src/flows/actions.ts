// The signed-in person's actions: an MCP (or REST) call with the flow's tokens, refreshed before
// they expire and once more on a 401; a 403 `insufficient_scope` starts a step-up that replays
// the action afterwards. And "Refresh tokens", on demand.

import type { Context, Handler } from "hono";
import type { AppDeps, AppEnv, FlowRequest } from "../app-env";
import { PageError } from "../errors";
import { type McpAction, parseMcpAction } from "../mcp/actions";
import { runMcpAction } from "../mcp/call";
import { discoverAuthorizationServer, isExpiring, planStepUp, refreshTokens } from "../oauth";
import { renderHome } from "../routes/home";
import {
  type FlashResult,
  type Flow,
  type FlowSignIn,
  isFlow,
  saveSession,
} from "../session/session";
import { buildStaticRegistration, discoverStatic, findDiscoveryRegistration } from "./servers";
import { startAuthorization } from "./sign-in";

/** Step-ups allowed before the client gives up on an operation. */
export const MAX_STEP_UP_ATTEMPTS = 2;

/** How an action ended: a result for the start page, or a redirect to sign in with more scopes. */
export type ActionOutcome =
  | { page: FlashResult; redirect?: undefined }
  | { redirect: URL; page?: undefined };

/**
 * The flow's sign-in, and a refresh of its tokens (saved in the session); the refresh answers
 * false where no refresh token is kept or the registration is gone.
 */
async function loadSignIn(
  flow: Flow,
  deps: AppDeps,
  request: FlowRequest,
): Promise<{ signIn: FlowSignIn; refresh: () => Promise<boolean> }> {
  const { env, config, session } = request;
  const signIn = session.signIns[flow];
  if (!signIn) throw new PageError("Not signed in", `Sign in with the ${flow} flow first.`);
  const as = flow === "static" ? await discoverStatic(config, deps) : undefined;
  const registration =
    flow === "static"
      ? buildStaticRegistration(config)
      : await findDiscoveryRegistration(env, config, signIn);
  const refresh = async () => {
    if (!registration || !signIn.tokens.refreshToken) return false;
    const server = as ?? (await discoverAuthorizationServer(signIn.issuer, deps.net));
    signIn.tokens = await refreshTokens(server, registration, signIn.tokens, signIn.resource, {
      ...deps.net,
      now: deps.now,
    });
    await saveSession(env.CLIENT_STATE, session);
    return true;
  };
  return { signIn, refresh };
}

/** Refreshes the flow's tokens on demand ("Refresh tokens"). */
export async function refreshSignIn(
  flow: Flow,
  deps: AppDeps,
  request: FlowRequest,
): Promise<ActionOutcome> {
  const { refresh } = await loadSignIn(flow, deps, request);
  if (!(await refresh())) throw new PageError("Cannot refresh", "No refresh token is kept.");
  return { page: { notice: "Tokens refreshed." } };
}

/**
 * Runs one action with the flow's tokens: refreshes a token about to expire (and once more on a
 * 401), and on a 403 `insufficient_scope` starts a step-up that replays the action afterwards.
 */
export async function performAction(
  flow: Flow,
  action: McpAction,
  deps: AppDeps,
  request: FlowRequest,
): Promise<ActionOutcome> {
  const { config, session } = request;
  const { signIn, refresh } = await loadSignIn(flow, deps, request);
  if (isExpiring(signIn.tokens, deps.now())) await refresh();
  const run = () => runMcpAction(config.mcpServerUrl, signIn.tokens.accessToken, action, deps.net);
  let outcome = await run();
  if (!outcome.ok && outcome.status === 401 && (await refresh())) outcome = await run();
  if (outcome.ok) {
    if (session.stepUp) {
      delete session.stepUp;
      await saveSession(request.env.CLIENT_STATE, session);
    }
    const over = outcome.protocolVersion ? `, MCP ${outcome.protocolVersion}` : "";
    return {
      page: {
        result: { title: `Result of ${action.kind} (${flow}${over})`, body: outcome.result },
      },
    };
  }
  if (outcome.status === 403 && outcome.challenge?.error === "insufficient_scope") {
    const plan = planStepUp(
      session.stepUp ?? { requested: signIn.scopes, attempts: 0 },
      outcome.challenge.scope,
      { maxAttempts: MAX_STEP_UP_ATTEMPTS },
    );
    const url = await startAuthorization(flow, deps, {
      ...request,
      stepUp: { scopes: plan.requested, attempts: plan.attempts, replay: action },
    });
    return { redirect: url };
  }
  throw new PageError(
    "The MCP server refused",
    `${outcome.message}${outcome.challenge?.error ? ` (${outcome.challenge.error})` : ""}. Sign in again.`,
    403,
  );
}

/** The start page with the action's result, or the redirect to a step-up (303). */
async function respond(c: Context<AppEnv>, deps: AppDeps, done: ActionOutcome) {
  if (done.redirect) return c.redirect(done.redirect.href, 303);
  return renderHome(c, deps, done.page);
}

/** `POST /mcp/:flow/refresh`: "Refresh tokens". */
export function handleRefresh(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const flow = c.req.param("flow");
    if (flow === undefined || !isFlow(flow)) return c.notFound();
    const { config, session } = c.var;
    return respond(c, deps, await refreshSignIn(flow, deps, { env: c.env, config, session }));
  };
}

/** `POST /mcp/:flow/:action`: one of the start page's MCP actions, its fields from the form. */
export function handleAction(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const flow = c.req.param("flow");
    const action = parseMcpAction(c.req.param("action") ?? "", await c.req.parseBody());
    if (flow === undefined || !isFlow(flow) || !action) return c.notFound();
    const { config, session } = c.var;
    return respond(
      c,
      deps,
      await performAction(flow, action, deps, { env: c.env, config, session }),
    );
  };
}
