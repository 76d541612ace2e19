import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { parseNewContext, toWireContext } from "../contexts/context";
import { userContexts } from "../contexts/store";
import { NO_STORE } from "../http/cache-control";
import { RequestError } from "../http/errors";
import { requireAccess } from "../http/guards";

/** Options of {@link handleCreateContext}. */
export interface ContextRouteOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** `GET /v1/contexts`: the caller's contexts (read scope). */
export function handleListContexts() {
  return async (c: Context<AppEnv>) => {
    requireAccess(c, new Set(["read"]));
    const contexts = await userContexts(c.env, c.var.principal).list();
    return c.json({ contexts: contexts.map(toWireContext) }, 200, NO_STORE);
  };
}

/** `POST /v1/contexts`: saves a context for the caller (read and write scopes); 409 past the limit. */
export function handleCreateContext({ now }: ContextRouteOptions) {
  return async (c: Context<AppEnv>) => {
    requireAccess(c, new Set(["read", "write"]));
    const body = await c.req.json().catch(() => {
      throw new RequestError("invalid_request", "the body must be JSON", 400);
    });
    const created = await userContexts(c.env, c.var.principal).create(parseNewContext(body), now());
    if (!created)
      throw new RequestError("limit_exceeded", "too many contexts; delete some first", 409);
    return c.json(toWireContext(created), 201, NO_STORE);
  };
}
