import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readCookie, writeCookie } from "../session/cookies";
import { createSession, loadSession } from "../session/session";
import { isCsrfToken } from "./csrf";

/**
 * Puts the browser's session in `c.var.session`. An anonymous visit writes nothing to KV: its
 * session lives only in this request, with its CSRF token in a cookie (double submit), and is
 * stored once a form that passes `csrfCheck()` is posted.
 */
export function browserSession() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const existing = await loadSession(c.env.CLIENT_STATE, readCookie(c, "session"));
    if (existing) {
      c.set("session", existing);
      c.set("isNewSession", false);
      return next();
    }
    const session = createSession();
    const csrfCookie = readCookie(c, "csrf");
    if (csrfCookie !== undefined && isCsrfToken(csrfCookie)) session.csrfToken = csrfCookie;
    else writeCookie(c, "csrf", session.csrfToken);
    c.set("session", session);
    c.set("isNewSession", true);
    await next();
  });
}
