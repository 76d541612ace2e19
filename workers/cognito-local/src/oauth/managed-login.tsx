import { randomToken, sha256Base64url, timingSafeEqual } from "@mcp-cognito-workers/http";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { HtmlEscapedString } from "hono/utils/html";
import { PAGE_HEADERS } from "../pages/layout";
import type { PoolServices } from "../pool-services";
import type { UserRecord } from "../store/records";
import { checkPasswordPolicy, hashPassword } from "../users/password";
import { authenticate, findIssuedUser } from "../users/users";
import {
  type AuthorizeContext,
  type AuthorizeFailure,
  type AuthorizeRequest,
  buildErrorRedirect,
  checkAuthorizeRequest,
} from "./authorize-request";
import { ErrorPage, LoginPage, NewPasswordPage } from "./login-pages";

/** Codes live five minutes, as Cognito's do. */
export const CODE_LIFETIME_MS = 5 * 60 * 1000;
/** Cognito's managed-login session cookie lasts an hour. */
const SESSION_LIFETIME_SECONDS = 60 * 60;
/** A user with a temporary password has this long to choose a new one. */
const CHALLENGE_LIFETIME_MS = 3 * 60 * 1000;
/** Names of the cookies Cognito's managed login sets. */
const SESSION_COOKIE = "cognito";
const CSRF_COOKIE = "XSRF-TOKEN";
const COOKIE_OPTIONS = { path: "/", httpOnly: true, secure: true, sameSite: "Lax" } as const;

/** Managed login: `/oauth2/authorize`, the sign-in pages at `/login`, and `/logout`. */
export function managedLoginRoutes(pool: PoolServices): Hono {
  const app = new Hono();
  const context: AuthorizeContext = {
    lookupClient: (clientId) => pool.store.getClient(clientId),
    featurePlan: pool.template.featurePlan,
  };

  app.get("/oauth2/authorize", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const request = checkAuthorizeRequest(query, context);
    if (isFailure(request)) return renderFailure(c, request);
    if (request.prompt !== "login") {
      const session = await currentSession(c, pool);
      if (session !== undefined)
        return redirectWithCode(c, pool, request, session.user, session.authTime);
    }
    if (request.prompt === "none") {
      return c.redirect(buildErrorRedirect(loginRequired(request)), 302);
    }
    return c.redirect(`/login?${query}`, 302);
  });

  app.get("/login", (c) => {
    const query = new URL(c.req.url).searchParams;
    const request = checkAuthorizeRequest(query, context);
    if (isFailure(request)) return renderFailure(c, request);
    return renderLogin(c, request, query, { username: request.loginHint ?? undefined });
  });

  app.post("/login", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const request = checkAuthorizeRequest(query, context);
    if (isFailure(request)) return renderFailure(c, request);
    const form = await c.req.parseBody();
    const csrf = getCookie(c, CSRF_COOKIE);
    if (typeof form._csrf !== "string" || !csrf || !timingSafeEqual(form._csrf, csrf)) {
      return c.html(
        <ErrorPage message="The sign-in form has expired or was not sent from this site. Go back to the application and sign in again." />,
        403,
        PAGE_HEADERS,
      );
    }
    if (typeof form.challenge === "string")
      return completeNewPassword(c, pool, request, query, form);

    const username = typeof form.username === "string" ? form.username.trim() : "";
    const password = typeof form.password === "string" ? form.password : "";
    const user = username && password ? await authenticate(pool, username, password) : undefined;
    if (user === undefined) {
      return renderLogin(c, request, query, {
        username,
        error: "Incorrect username or password.",
        status: 400,
      });
    }
    if (user.status === "FORCE_CHANGE_PASSWORD") {
      const challenge = randomToken();
      pool.store.putChallenge(await sha256Base64url(challenge), {
        username: user.username,
        expiresAt: pool.now() + CHALLENGE_LIFETIME_MS,
      });
      return renderNewPassword(c, query, challenge);
    }
    return signIn(c, pool, request, user);
  });

  app.get("/logout", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const clientId = query.get("client_id");
    const client = clientId ? pool.store.getClient(clientId) : undefined;
    if (client === undefined) {
      return c.html(
        <ErrorPage message="Required parameter client_id is missing or unknown." />,
        400,
        PAGE_HEADERS,
      );
    }
    const logoutUri = query.get("logout_uri");
    if (logoutUri !== null) {
      if (!client.LogoutURLs?.includes(logoutUri)) {
        return c.html(
          <ErrorPage message="The logout_uri is not one of the client's sign-out URLs." />,
          400,
          PAGE_HEADERS,
        );
      }
      await endSession(c, pool);
      return c.redirect(logoutUri, 302);
    }
    // The other form signs the user out and straight back in: redirect_uri + response_type.
    const request = checkAuthorizeRequest(query, context);
    if (isFailure(request)) return renderFailure(c, request);
    await endSession(c, pool);
    query.delete("logout_uri");
    return c.redirect(`/login?${query}`, 302);
  });

  return app;
}

function isFailure(result: AuthorizeRequest | AuthorizeFailure): result is AuthorizeFailure {
  return "kind" in result;
}

function renderFailure(c: Context, failure: AuthorizeFailure): Response {
  if (failure.kind === "redirect") return c.redirect(buildErrorRedirect(failure), 302);
  return c.html(<ErrorPage message={failure.message} />, 400, PAGE_HEADERS) as unknown as Response;
}

function loginRequired(request: AuthorizeRequest): Extract<AuthorizeFailure, { kind: "redirect" }> {
  return {
    kind: "redirect",
    redirectUri: request.redirectUri,
    state: request.state,
    error: "login_required",
    description: "The user is not signed in",
  };
}

interface LoginRender {
  username?: string | undefined;
  error?: string;
  status?: 200 | 400;
}

function renderLogin(
  c: Context,
  request: AuthorizeRequest,
  query: URLSearchParams,
  render: LoginRender,
) {
  return renderForm(c, render.status ?? 200, (csrf) => (
    <LoginPage
      action={`/login?${query}`}
      csrf={csrf}
      clientName={request.client.ClientName}
      {...(render.username ? { username: render.username } : {})}
      {...(render.error ? { error: render.error } : {})}
    />
  ));
}

function renderNewPassword(c: Context, query: URLSearchParams, challenge: string, error?: string) {
  return renderForm(c, error ? 400 : 200, (csrf) => (
    <NewPasswordPage
      action={`/login?${query}`}
      csrf={csrf}
      challenge={challenge}
      {...(error ? { error } : {})}
    />
  ));
}

/** A managed-login form page, with a fresh CSRF token in the page and in its cookie. */
function renderForm(
  c: Context,
  status: 200 | 400,
  page: (csrf: string) => HtmlEscapedString | Promise<HtmlEscapedString>,
) {
  const csrf = randomToken();
  setCookie(c, CSRF_COOKIE, csrf, COOKIE_OPTIONS);
  return c.html(page(csrf), status, PAGE_HEADERS);
}

async function completeNewPassword(
  c: Context,
  pool: PoolServices,
  request: AuthorizeRequest,
  query: URLSearchParams,
  form: Record<string, unknown>,
) {
  const record = pool.store.takeChallenge(await sha256Base64url(String(form.challenge)));
  const user =
    record && record.expiresAt > pool.now() ? pool.store.getUser(record.username) : undefined;
  if (user === undefined || user.status !== "FORCE_CHANGE_PASSWORD") {
    return renderLogin(c, request, query, {
      error: "Your session has expired. Sign in again.",
      status: 400,
    });
  }
  const password = typeof form.new_password === "string" ? form.new_password : "";
  const retry = async (error: string) => {
    const challenge = randomToken();
    pool.store.putChallenge(await sha256Base64url(challenge), {
      username: user.username,
      expiresAt: pool.now() + CHALLENGE_LIFETIME_MS,
    });
    return renderNewPassword(c, query, challenge, error);
  };
  if (password !== form.confirm_password) return retry("Passwords do not match.");
  const broken = checkPasswordPolicy(password, pool.template.passwordPolicy);
  if (broken) return retry(broken);
  const updated: UserRecord = {
    ...user,
    passwordHash: await hashPassword(password),
    status: "CONFIRMED",
    updatedAt: pool.now(),
  };
  pool.store.putUser(updated);
  return signIn(c, pool, request, updated);
}

/** Starts a managed-login session for the user and sends the code to the client. */
async function signIn(c: Context, pool: PoolServices, request: AuthorizeRequest, user: UserRecord) {
  const authTime = Math.floor(pool.now() / 1000);
  const session = randomToken();
  pool.store.putSession(await sha256Base64url(session), {
    username: user.username,
    sub: user.sub,
    authTime,
    expiresAt: pool.now() + SESSION_LIFETIME_SECONDS * 1000,
  });
  setCookie(c, SESSION_COOKIE, session, { ...COOKIE_OPTIONS, maxAge: SESSION_LIFETIME_SECONDS });
  deleteCookie(c, CSRF_COOKIE, COOKIE_OPTIONS);
  return redirectWithCode(c, pool, request, user, authTime);
}

async function currentSession(c: Context, pool: PoolServices) {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return undefined;
  const session = pool.store.getSession(await sha256Base64url(token));
  if (session === undefined || session.expiresAt <= pool.now()) return undefined;
  const user = findIssuedUser(pool, session);
  if (user?.status !== "CONFIRMED") return undefined;
  return { user, authTime: session.authTime };
}

async function endSession(c: Context, pool: PoolServices): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) pool.store.deleteSession(await sha256Base64url(token));
  deleteCookie(c, SESSION_COOKIE, COOKIE_OPTIONS);
}

/** Issues a single-use code for the request and redirects to the client with it and `state`. */
async function redirectWithCode(
  c: Context,
  pool: PoolServices,
  request: AuthorizeRequest,
  user: UserRecord,
  authTime: number,
) {
  const code = crypto.randomUUID();
  pool.store.putCode(await sha256Base64url(code), {
    clientId: request.client.ClientId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    resource: request.resource,
    username: user.username,
    sub: user.sub,
    authTime,
    expiresAt: pool.now() + CODE_LIFETIME_MS,
  });
  const target = new URL(request.redirectUri);
  target.searchParams.set("code", code);
  if (request.state !== null) target.searchParams.set("state", request.state);
  c.header("Cache-Control", "no-store");
  return c.redirect(target.toString(), 302);
}
