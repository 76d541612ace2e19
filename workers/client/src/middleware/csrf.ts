import { timingSafeEqual } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { PageError } from "../errors";
import { clearCookie, writeCookie } from "../session/cookies";
import { saveSession } from "../session/session";

/** Whether a value has the shape of a CSRF token this client makes. */
export function isCsrfToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * Refuses (403) a form whose `csrf` field is not the session's token, compared in constant time.
 * The first form an anonymous visitor posts from our page stores the session: it sets the session
 * cookie and drops the CSRF cookie. Goes after `browserSession()`.
 */
export function csrfCheck() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const form = await c.req.parseBody();
    const token = typeof form.csrf === "string" ? form.csrf : "";
    if (!timingSafeEqual(token, c.var.session.csrfToken)) {
      throw new PageError(
        "Request refused",
        "The form was not sent from this site's page (CSRF check failed). Reload the start page and try again.",
        403,
      );
    }
    if (c.var.isNewSession) {
      // The first form this browser posts from our page: now the session is worth storing.
      await saveSession(c.env.CLIENT_STATE, c.var.session);
      writeCookie(c, "session", c.var.session.id);
      clearCookie(c, "csrf");
      c.set("isNewSession", false);
    }
    await next();
  });
}
