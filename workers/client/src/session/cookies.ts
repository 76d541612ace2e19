// The browser's two cookies: the session id, and an anonymous visitor's CSRF token (double submit)
// until a session is stored. Both have the same options, defined here once.

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** Which of the two cookies. */
export type ClientCookie = "session" | "csrf";

const COOKIE_NAMES: Record<ClientCookie, string> = {
  session: "mcp_client_session",
  csrf: "mcp_client_csrf",
};

/** A cookie's name at `origin`: `__Host-` on https, so no subdomain or path can set it. */
export function buildCookieName(cookie: ClientCookie, origin: URL): string {
  const name = COOKIE_NAMES[cookie];
  return origin.protocol === "https:" ? `__Host-${name}` : name;
}

/** Options of both cookies: `HttpOnly; SameSite=Lax; Path=/`, and `Secure` on https. */
export function buildCookieOptions(origin: URL) {
  return {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: origin.protocol === "https:",
  } as const;
}

/** The request's value of `cookie`, if it sent one. */
export function readCookie(c: Context, cookie: ClientCookie): string | undefined {
  return getCookie(c, buildCookieName(cookie, new URL(c.req.url)));
}

/** Sets `cookie` to `value` on the response. */
export function writeCookie(c: Context, cookie: ClientCookie, value: string): void {
  const origin = new URL(c.req.url);
  setCookie(c, buildCookieName(cookie, origin), value, buildCookieOptions(origin));
}

/** Tells the browser to drop `cookie`. */
export function clearCookie(c: Context, cookie: ClientCookie): void {
  const origin = new URL(c.req.url);
  deleteCookie(c, buildCookieName(cookie, origin), buildCookieOptions(origin));
}
