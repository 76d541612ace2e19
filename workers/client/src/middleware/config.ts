import { readOncePerEnv } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";

/** Reads the client's configuration from its vars into `c.var.config`. */
export function clientConfig() {
  // Parsed once per env object, not on every request.
  const configOf = readOncePerEnv(readConfig);
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set("config", configOf(c.env));
    await next();
  });
}
