import { logEvent } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

/** Options of {@link requestLog}. */
export interface RequestLogOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Logs one line per request (method, path, status, duration, the caller's `clientId` and `sub`)
 * once the request's background work (`c.var.pending`, see `runAfterResponse`) has ended.
 */
export function requestLog({ now }: RequestLogOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = now();
    await next();
    await c.var.pending;
    logEvent(c.res.status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: now() - started,
      clientId: c.var.principal?.clientId,
      sub: c.var.principal?.sub,
    });
  });
}
