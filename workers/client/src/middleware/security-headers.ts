import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

/**
 * The policy of every page: no script, this site's stylesheet, no framing, and forms that may
 * lead only here and to `formActionOrigins`.
 * @see CSP Level 3 §6.4.1 (form-action)
 */
export function buildContentSecurityPolicy(formActionOrigins: readonly string[] = []): string {
  const formAction = ["'self'", ...new Set(formActionOrigins)].join(" ");
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

/**
 * Headers of every response once it is made: the CSP (with the `form-action` origins the page
 * set in `c.var.formActionOrigins`), `nosniff`, `Referrer-Policy: no-referrer`, and
 * `Cache-Control: no-store` unless the route chose otherwise.
 */
export function securityHeaders() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    c.header("content-security-policy", buildContentSecurityPolicy(c.var.formActionOrigins));
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    // Pages hold per-session data; only a public document (the CIMD one) says otherwise.
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });
}
