import { cors } from "hono/cors";

/**
 * The paths a browser-based client calls from its page, and so the only ones with CORS (any
 * origin, never credentials): discovery, registration (MCP Inspector registers from the page),
 * and the token and revocation endpoints. Not the front door's pages (`/authorize`,
 * `/authorize/decision`, `/callback`), which a browser navigates to, nor RFC 7592 management
 * (`/register/<client_id>`), which no browser client here calls and whose token a page should not
 * hold: without CORS, a page cannot send its PUT or DELETE at all.
 */
export const CORS_PATHS = [
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/register",
  "/token",
  "/revoke",
] as const;

/** The CORS middleware of {@link CORS_PATHS}. */
export const browserCors = cors({
  origin: "*",
  allowMethods: ["GET", "POST"],
  allowHeaders: ["Authorization", "Content-Type"],
  maxAge: 600,
});
