import type { Context } from "hono";
import type { AppEnv } from "../app-env";

/**
 * Lets work finish after the response (`waitUntil`). Where there is no execution context (tests),
 * it is kept on `c.var.pending`, which `requestLog()` awaits before the request ends.
 */
export function runAfterResponse(c: Context<AppEnv>, work: Promise<void>): void {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as ExecutionContext;
  } catch {
    ctx = undefined;
  }
  if (ctx) ctx.waitUntil(work);
  else c.set("pending", work);
}
