import { readOncePerEnv } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";
import { resolveResource } from "../discovery/protected-resource";

/** Reads the configuration from the vars into `c.var.config`, and this request's canonical resource into `c.var.resource`. */
export function resourceServerConfig() {
  // Parsed once per env object, not on every request; a missing variable is answered each time.
  const configOf = readOncePerEnv(readConfig);
  return createMiddleware<AppEnv>(async (c, next) => {
    const config = configOf(c.env);
    c.set("config", config);
    c.set("resource", resolveResource(config, c.req.url));
    await next();
  });
}
