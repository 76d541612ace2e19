import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import * as oauth from "oauth4webapi";
import { type ClientConfig, readConfig } from "./config";
import { buildContentSecurityPolicy, cacheFormActionOrigins } from "./csp";
import { type McpAction, runMcpAction } from "./mcp/call";
import {
  buildAuthorizationRequest,
  buildClientMetadataDocument,
  type ClientRegistration,
  discoverAuthorizationServer,
  discoverFromServer,
  discoverProtectedResource,
  getOrRegisterClient,
  isExpiring,
  OAuthClientError,
  planStepUp,
  processCallback,
  refreshTokens,
  type TraceStep,
  withOfflineAccess,
} from "./oauth";
import { ErrorPage, HomePage, type HomeProps } from "./pages/home";
import { STYLESHEET } from "./pages/layout";
import { REQUIRED_SECRETS, requireSecrets } from "./require-secrets";
import { createKvRegistrationStore } from "./session/registrations";
import {
  createSession,
  csrfCookieName,
  deleteSession,
  type FlashResult,
  type Flow,
  isCsrfToken,
  loadSession,
  type PendingAction,
  type Session,
  saveSession,
  sessionCookieName,
  timingSafeEqualStrings,
} from "./session/session";

/** Injected dependencies: the network and the clock (tests pass fakes). */
export interface AppOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

/** Step-ups allowed before the client gives up on an operation. */
export const MAX_STEP_UP_ATTEMPTS = 2;

type AppEnv = {
  Bindings: Env;
  Variables: {
    config: ClientConfig;
    session: Session;
    isNewSession: boolean;
    /** Origins the page's forms may lead to besides this one (see {@link formActionOrigins}). */
    formActionOrigins?: string[];
  };
};

class PageError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly status: 400 | 403 | 502 = 400,
  ) {
    super(message);
  }
}

const FLOWS = new Set<Flow>(["static", "discovery"]);
const ACTIONS = new Set([
  "tools",
  "whoami",
  "list_contexts",
  "rest_contexts",
  "create_context",
  "delete_context",
  "refresh",
]);
/** The form fields each action takes (kept for a replay after step-up). */
const ACTION_FIELDS: Record<string, string[]> = {
  create_context: ["title", "content"],
  delete_context: ["id"],
};
/** Where the client serves its Client ID Metadata Document. */
export const CLIENT_METADATA_PATH = "/oauth/client-metadata.json";

/** The web client's routes. */
export function createApp(options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const net = options.fetch ? { fetch: options.fetch } : {};
  const app = new Hono<AppEnv>();

  app.use(requireSecrets(REQUIRED_SECRETS));
  app.use(async (c, next) => {
    c.set("config", readConfig(c.env));
    await next();
    c.header("content-security-policy", buildContentSecurityPolicy(c.var.formActionOrigins));
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    // Pages hold per-session data; only a public document (the CIMD one) says otherwise.
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });

  app.get("/style.css", (c) =>
    c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8" }),
  );

  /** Options of the session and CSRF cookies. */
  const cookieOptions = (origin: URL) =>
    ({
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
      secure: origin.protocol === "https:",
    }) as const;

  /**
   * The browser's session. An anonymous visit writes nothing to KV: its session lives only in
   * this request, with its CSRF token in a cookie (double submit), and is stored once a form that
   * passes the CSRF check is posted.
   */
  const withSession = createMiddleware<AppEnv>(async (c, next) => {
    const origin = new URL(c.req.url);
    const existing = await loadSession(c.env.CLIENT_STATE, getCookie(c, sessionCookieName(origin)));
    if (existing) {
      c.set("session", existing);
      c.set("isNewSession", false);
      return next();
    }
    const session = createSession();
    const csrfCookie = getCookie(c, csrfCookieName(origin));
    if (csrfCookie !== undefined && isCsrfToken(csrfCookie)) session.csrfToken = csrfCookie;
    else setCookie(c, csrfCookieName(origin), session.csrfToken, cookieOptions(origin));
    c.set("session", session);
    c.set("isNewSession", true);
    await next();
  });

  const requireCsrf = createMiddleware<AppEnv>(async (c, next) => {
    const form = await c.req.parseBody();
    const token = typeof form.csrf === "string" ? form.csrf : "";
    if (!timingSafeEqualStrings(token, c.var.session.csrfToken)) {
      throw new PageError(
        "Request refused",
        "The form was not sent from this site's page (CSRF check failed). Reload the start page and try again.",
        403,
      );
    }
    if (c.var.isNewSession) {
      // The first form this browser posts from our page: now the session is worth storing.
      const origin = new URL(c.req.url);
      await saveSession(c.env.CLIENT_STATE, c.var.session);
      setCookie(c, sessionCookieName(origin), c.var.session.id, cookieOptions(origin));
      deleteCookie(c, csrfCookieName(origin), { path: "/", secure: origin.protocol === "https:" });
      c.set("isNewSession", false);
    }
    await next();
  });

  const discoverStatic = (config: ClientConfig) =>
    discoverAuthorizationServer(config.cognitoIssuer, { ...net, assumePkceS256: true });

  const originsCache = cacheFormActionOrigins(now);
  /**
   * Where the start page's forms may lead (its CSP `form-action`). A sign-in or step-up begun
   * there goes, in one navigation, to the discovery flow's authorization endpoint (the facade),
   * on to Cognito's managed login (the static flow's authorization endpoint, where the facade
   * sends the person once they approve), and back. Both are read from metadata, never derived
   * from an issuer's host: in production the client, the facade and the managed-login domain are
   * three origins, and the managed login is not the issuer's host.
   */
  const formActionOrigins = (config: ClientConfig) =>
    originsCache(`${config.cognitoIssuer} ${config.mcpServerUrl.href}`, async () => {
      const found = await Promise.allSettled([
        discoverStatic(config),
        discoverProtectedResource(config.mcpServerUrl, undefined, net).then((prm) =>
          discoverAuthorizationServer(prm.authorizationServers[0] as string, net),
        ),
      ]);
      const origins: string[] = [];
      for (const result of found) {
        if (result.status === "fulfilled" && result.value.authorization_endpoint)
          origins.push(new URL(result.value.authorization_endpoint).origin);
        else if (result.status === "rejected")
          console.warn(
            JSON.stringify({ event: "form_action_origin_unknown", message: String(result.reason) }),
          );
      }
      return { origins, complete: found.every((result) => result.status === "fulfilled") };
    });

  /** The start page, with the CSP its forms need. */
  const renderHome = async (c: Context<AppEnv>, extra: Partial<HomeProps> = {}) => {
    c.set("formActionOrigins", await formActionOrigins(c.var.config));
    return c.html(
      <HomePage
        appName={c.var.config.appName}
        mcpServerUrl={c.var.config.mcpServerUrl.href}
        session={c.var.session}
        now={now()}
        {...extra}
      />,
    );
  };

  app.get("/", withSession, async (c) => {
    const { session } = c.var;
    const flash = session.flash;
    if (flash) {
      delete session.flash;
      await saveSession(c.env.CLIENT_STATE, session);
    }
    return renderHome(c, flash ?? {});
  });

  const staticRegistration = (config: ClientConfig): ClientRegistration => ({
    issuer: config.cognitoIssuer,
    clientId: config.staticClientId,
    clientSecret: config.staticClientSecret,
    tokenEndpointAuthMethod: "client_secret_post",
  });

  /** Where this client serves its Client ID Metadata Document (only on https, as CIMD requires). */
  const clientMetadataUrl = (config: ClientConfig): string | undefined => {
    const origin = new URL(config.redirectUri);
    return origin.protocol === "https:" ? new URL(CLIENT_METADATA_PATH, origin).href : undefined;
  };

  /** The discovery flow's credentials at `issuer` for `clientId`: its CIMD URL or the stored DCR. */
  const discoveryRegistration = async (
    env: Env,
    config: ClientConfig,
    issuer: string,
    clientId: string,
  ): Promise<ClientRegistration | undefined> => {
    if (clientId === clientMetadataUrl(config)) {
      return { issuer, clientId, tokenEndpointAuthMethod: "none" };
    }
    const stored = await createKvRegistrationStore(env).get(issuer);
    return stored?.clientId === clientId ? stored : undefined;
  };

  app.get(CLIENT_METADATA_PATH, (c) => {
    const config = c.var.config;
    const clientId = clientMetadataUrl(config);
    if (!clientId) return c.notFound();
    c.header("cache-control", "public, max-age=3600");
    return c.json(
      buildClientMetadataDocument({
        clientId,
        clientName: config.appName,
        clientUri: new URL("/", config.redirectUri).href,
        redirectUris: [config.redirectUri],
      }),
    );
  });

  /** Starts an authorization for `flow`; returns the URL to send the browser to. */
  async function startAuthorization(
    env: Env,
    config: ClientConfig,
    session: Session,
    flow: Flow,
    stepUp?: { scopes: string[]; attempts: number; replay?: PendingAction },
  ): Promise<URL> {
    let as: oauth.AuthorizationServer;
    let registration: ClientRegistration;
    let resource: string;
    let scopes: string[];
    if (flow === "static") {
      as = await discoverStatic(config);
      registration = staticRegistration(config);
      resource = config.mcpServerUrl.href.replace(/\/$/, "");
      scopes = stepUp?.scopes ?? config.staticScopes;
    } else {
      const trace: TraceStep[] = [];
      const found = await discoverFromServer(config.mcpServerUrl, {
        ...net,
        trace: (step) => trace.push(step),
      });
      as = found.authorizationServer;
      const store = createKvRegistrationStore(env);
      const result = await getOrRegisterClient(as, store, {
        ...net,
        trace: (step) => trace.push(step),
        clientName: config.appName,
        redirectUris: [config.redirectUri],
        scope: found.protectedResource.scopesSupported?.join(" "),
        clientMetadataUrl: clientMetadataUrl(config),
      });
      registration = result.registration;
      resource = found.protectedResource.resource;
      scopes = stepUp?.scopes ?? found.scopes;
      session.trace = trace;
    }
    const request = await buildAuthorizationRequest(as, registration, {
      redirectUri: config.redirectUri,
      resource,
      scopes: withOfflineAccess(scopes, as.scopes_supported),
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

  app.post("/login/:flow", withSession, requireCsrf, async (c) => {
    const flow = c.req.param("flow") as Flow;
    if (!FLOWS.has(flow)) return c.notFound();
    const url = await startAuthorization(c.env, c.var.config, c.var.session, flow);
    return c.redirect(url.href, 303);
  });

  app.get("/callback", async (c) => {
    const config = c.var.config;
    const session = await loadSession(
      c.env.CLIENT_STATE,
      getCookie(c, sessionCookieName(new URL(c.req.url))),
    );
    const pending = session?.pending;
    if (!session || !pending) {
      throw new PageError(
        "Sign-in not recognised",
        "This browser has no sign-in in progress (no session, or it expired). Start again from the start page.",
      );
    }
    // One-time: the pending authorization is gone whatever happens next.
    delete session.pending;
    await saveSession(c.env.CLIENT_STATE, session);
    let as: oauth.AuthorizationServer;
    let registration: ClientRegistration | undefined;
    if (pending.flow === "static") {
      as = await discoverStatic(config);
      registration = staticRegistration(config);
    } else {
      as = await discoverAuthorizationServer(pending.issuer, net);
      registration = await discoveryRegistration(c.env, config, pending.issuer, pending.clientId);
    }
    if (!registration) {
      throw new PageError("Sign-in failed", "The client registration is gone; sign in again.");
    }
    try {
      const tokens = await processCallback(as, registration, pending, new URL(c.req.url), {
        ...net,
        now,
        // The discovery flow's trace goes on with the callback's checks and the token request.
        ...(pending.flow === "discovery" ? { trace: (step) => session.trace.push(step) } : {}),
      });
      session.signIns[pending.flow] = {
        issuer: as.issuer,
        clientId: pending.clientId,
        resource: pending.resource,
        scopes: pending.scopes,
        tokens,
      };
      if (pending.stepUp) session.stepUp = pending.stepUp;
      // A new id once signed in, so an id planted before sign-in (session fixation) is worthless.
      await deleteSession(c.env.CLIENT_STATE, session.id);
      const renewed = { ...session, id: createSession().id };
      await saveSession(c.env.CLIENT_STATE, renewed);
      const origin = new URL(c.req.url);
      setCookie(c, sessionCookieName(origin), renewed.id, cookieOptions(origin));
      if (pending.replay) {
        // The action that needed the step-up was checked (CSRF) when it was first submitted;
        // it runs now, once, and its result is shown on the start page.
        const done = await performAction(c.env, config, renewed, pending.flow, pending.replay);
        if (done.redirect) return c.redirect(done.redirect.href, 303);
        renewed.flash = done.page;
        await saveSession(c.env.CLIENT_STATE, renewed);
      }
      return c.redirect("/", 303);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        // Reached only with the right state (and iss, where the server sends it): the person's
        // own answer at the authorization server, not a forgery.
        if (error.error === "access_denied") {
          throw new PageError(
            "You denied access",
            pending.stepUp
              ? `You denied access to more of your account (${pending.scopes.join(" ")}), so the action that needed it was not run. You are still signed in with the access you allowed before.`
              : `You denied access, so ${config.appName} did not sign you in (${pending.flow} flow) and received nothing. You can sign in again from the start page.`,
            403,
          );
        }
        throw new PageError(
          "Sign-in refused",
          `The authorization server answered "${error.error}".`,
        );
      }
      if (error instanceof oauth.ResponseBodyError) {
        if (error.error === "invalid_client" && pending.flow === "discovery") {
          await createKvRegistrationStore(c.env).delete(pending.issuer);
        }
        throw new PageError(
          "Sign-in failed",
          `The token endpoint refused the code ("${error.error}"). A code works once; start again.`,
        );
      }
      if (error instanceof oauth.OperationProcessingError) {
        throw new PageError("Sign-in failed", `The response did not check out: ${error.message}.`);
      }
      throw error;
    }
  });

  /**
   * Runs one action with the flow's tokens: refreshes a token about to expire (and once more on a
   * 401), and on a 403 `insufficient_scope` starts a step-up that replays the action afterwards.
   */
  async function performAction(
    env: Env,
    config: ClientConfig,
    session: Session,
    flow: Flow,
    pendingAction: PendingAction,
  ): Promise<{ page: FlashResult; redirect?: undefined } | { redirect: URL; page?: undefined }> {
    const signIn = session.signIns[flow];
    if (!signIn) throw new PageError("Not signed in", `Sign in with the ${flow} flow first.`);
    const as = flow === "static" ? await discoverStatic(config) : undefined;
    const registration =
      flow === "static"
        ? staticRegistration(config)
        : await discoveryRegistration(env, config, signIn.issuer, signIn.clientId);
    const refresh = async () => {
      if (!registration || !signIn.tokens.refreshToken) return false;
      const server = as ?? (await discoverAuthorizationServer(signIn.issuer, net));
      signIn.tokens = await refreshTokens(server, registration, signIn.tokens, signIn.resource, {
        ...net,
        now,
      });
      await saveSession(env.CLIENT_STATE, session);
      return true;
    };

    const { kind, fields } = pendingAction;
    if (kind === "refresh") {
      if (!(await refresh())) throw new PageError("Cannot refresh", "No refresh token is kept.");
      return { page: { notice: "Tokens refreshed." } };
    }
    if (isExpiring(signIn.tokens, now())) await refresh();

    const action: McpAction =
      kind === "create_context"
        ? { kind, title: fields.title ?? "", content: fields.content ?? "" }
        : kind === "delete_context"
          ? { kind, id: fields.id ?? "" }
          : ({ kind } as McpAction);
    let outcome = await runMcpAction(config.mcpServerUrl, signIn.tokens.accessToken, action, net);
    if (!outcome.ok && outcome.status === 401 && (await refresh())) {
      outcome = await runMcpAction(config.mcpServerUrl, signIn.tokens.accessToken, action, net);
    }
    if (outcome.ok) {
      if (session.stepUp) {
        delete session.stepUp;
        await saveSession(env.CLIENT_STATE, session);
      }
      const over = outcome.protocolVersion ? `, MCP ${outcome.protocolVersion}` : "";
      return {
        page: { result: { title: `Result of ${kind} (${flow}${over})`, body: outcome.result } },
      };
    }
    if (outcome.status === 403 && outcome.challenge?.error === "insufficient_scope") {
      const plan = planStepUp(
        session.stepUp ?? { requested: signIn.scopes, attempts: 0 },
        outcome.challenge.scope,
        { maxAttempts: MAX_STEP_UP_ATTEMPTS },
      );
      const url = await startAuthorization(env, config, session, flow, {
        scopes: plan.requested,
        attempts: plan.attempts,
        replay: pendingAction,
      });
      return { redirect: url };
    }
    throw new PageError(
      "The MCP server refused",
      `${outcome.message}${outcome.challenge?.error ? ` (${outcome.challenge.error})` : ""}. Sign in again.`,
      403,
    );
  }

  app.post("/mcp/:flow/:action", withSession, requireCsrf, async (c) => {
    const flow = c.req.param("flow") as Flow;
    const kind = c.req.param("action");
    if (!FLOWS.has(flow) || !ACTIONS.has(kind)) return c.notFound();
    const form = await c.req.parseBody();
    const fields: Record<string, string> = {};
    for (const name of ACTION_FIELDS[kind] ?? []) {
      const value = form[name];
      if (typeof value === "string") fields[name] = value;
    }
    const done = await performAction(c.env, c.var.config, c.var.session, flow, { kind, fields });
    if (done.redirect) return c.redirect(done.redirect.href, 303);
    return renderHome(c, done.page);
  });

  app.post("/logout", withSession, requireCsrf, async (c) => {
    const { config, session } = c.var;
    await deleteSession(c.env.CLIENT_STATE, session.id);
    deleteCookie(c, sessionCookieName(new URL(c.req.url)), {
      path: "/",
      secure: new URL(c.req.url).protocol === "https:",
    });
    // Cognito's /logout is on its managed-login domain, named by discovery's end_session_endpoint
    // (else the authorization endpoint's origin), never the issuer's host. Unreachable, the person
    // is still signed out here.
    const cognito = await discoverStatic(config).catch(() => undefined);
    const endSession =
      typeof cognito?.end_session_endpoint === "string"
        ? cognito.end_session_endpoint
        : cognito?.authorization_endpoint
          ? new URL("/logout", new URL(cognito.authorization_endpoint).origin).href
          : undefined;
    if (!endSession) return c.redirect("/", 303);
    const logout = new URL(endSession);
    logout.searchParams.set("client_id", config.staticClientId);
    logout.searchParams.set("logout_uri", new URL("/", config.redirectUri).href);
    return c.redirect(logout.href, 303);
  });

  app.onError((error, c) => {
    const appName = c.var.config?.appName ?? "MCP web client";
    if (error instanceof PageError) {
      return c.html(
        <ErrorPage appName={appName} title={error.title} message={error.message} />,
        error.status,
      );
    }
    if (error instanceof OAuthClientError && error.code === "step_up_limit") {
      return c.html(
        <ErrorPage
          appName={appName}
          title="More access was not granted"
          message={`The MCP server still refuses: ${error.message}.`}
        />,
        403,
      );
    }
    if (error instanceof OAuthClientError) {
      return c.html(
        <ErrorPage appName={appName} title="Discovery failed" message={error.message} />,
        502,
      );
    }
    console.error(
      JSON.stringify({
        event: "unhandled",
        name: (error as Error).name,
        message: (error as Error).message,
      }),
    );
    return c.html(
      <ErrorPage
        appName={appName}
        title="Something went wrong"
        message="The request failed; try again from the start page."
      />,
      500,
    );
  });

  return app;
}
