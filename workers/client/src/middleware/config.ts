import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";

/** Reads the client's configuration from its vars into `c.var.config`. */
export function clientConfig() {
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set("config", readConfig(c.env));
    await next();
  });
}
