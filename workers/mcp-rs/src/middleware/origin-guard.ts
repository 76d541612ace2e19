import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { RequestError } from "../http/errors";
import { isOriginAllowed } from "../http/origin";

/**
 * Refuses browser requests from origins not allowed (DNS rebinding): 403 `forbidden_origin`.
 * Requests without `Origin` (non-browser clients) pass.
 * @see MCP basic/transports, Streamable HTTP "Security Warning"
 */
export function originGuard() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header("origin");
    if (
      origin !== undefined &&
      !isOriginAllowed(origin, new URL(c.req.url).origin, c.var.config.allowedOrigins)
    )
      throw new RequestError("forbidden_origin", "this origin may not call this server", 403);
    await next();
  });
}
