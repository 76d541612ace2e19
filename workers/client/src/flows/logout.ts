// Sign out: the session goes, then Cognito's own logout ends its managed-login session.

import type { Handler } from "hono";
import type * as oauth from "oauth4webapi";
import type { AppDeps, AppEnv } from "../app-env";
import type { ClientConfig } from "../config";
import { clearCookie } from "../session/cookies";
import { deleteSession } from "../session/session";
import { discoverStatic } from "./servers";

/**
 * Cognito's `/logout?client_id=..&logout_uri=..`. It is on the managed-login domain, named by
 * discovery's `end_session_endpoint` (else the authorization endpoint's origin), never the
 * issuer's host; undefined without either.
 */
export function buildLogoutUrl(
  config: ClientConfig,
  cognito: oauth.AuthorizationServer | undefined,
): URL | undefined {
  const endSession =
    typeof cognito?.end_session_endpoint === "string"
      ? cognito.end_session_endpoint
      : cognito?.authorization_endpoint
        ? new URL("/logout", new URL(cognito.authorization_endpoint).origin).href
        : undefined;
  if (!endSession) return undefined;
  const logout = new URL(endSession);
  logout.searchParams.set("client_id", config.staticClientId);
  logout.searchParams.set("logout_uri", new URL("/", config.redirectUri).href);
  return logout;
}

/** `POST /logout`: deletes the session and its cookie, then goes to Cognito's logout (303). */
export function handleLogout(deps: AppDeps): Handler<AppEnv> {
  return async (c) => {
    const { config, session } = c.var;
    await deleteSession(c.env.CLIENT_STATE, session.id);
    clearCookie(c, "session");
    // Cognito unreachable, the person is still signed out here.
    const cognito = await discoverStatic(config, deps).catch(() => undefined);
    const logout = buildLogoutUrl(config, cognito);
    return c.redirect(logout?.href ?? "/", 303);
  };
}
