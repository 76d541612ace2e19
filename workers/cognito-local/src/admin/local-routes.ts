import { isJsonObject } from "@mcp-cognito-workers/http";
import { Hono } from "hono";
import type { PoolServices } from "../pool-services";
import type { RuntimeSettings } from "../store/records";

const SETTING_NAMES = ["appClientQuota", "rateLimitPerSecond", "clockOffsetMs"] as const;

/**
 * Test hooks that Cognito does not have, under `/_local`: change the app-client quota, the rate
 * limit and the clock at run time, rotate the signing keys, and read what the IdP API was asked.
 */
export function localRoutes(pool: PoolServices): Hono {
  const app = new Hono();

  // Only a local tool may drive these: a web page can send a cross-site `text/plain` POST without
  // a preflight, so a POST must be JSON (which a foreign page cannot send without one, and this
  // stand-in answers none) and carry no foreign Origin.
  app.use("*", async (c, next) => {
    if (c.req.method !== "POST") return next();
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== pool.config.publicOrigin)
      return c.json(
        { error: "forbidden_origin", error_description: "The /_local hooks refuse other sites" },
        403,
      );
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? ""))
      return c.json(
        {
          error: "invalid_request",
          error_description: "The /_local hooks take application/json only",
        },
        415,
      );
    return next();
  });

  app.get("/settings", (c) => c.json(pool.runtime()));

  // Calls to the IdP API per operation since the stand-in started: accepted, throttled, and the
  // busiest second, so that a test can show a client kept to the rate limits.
  app.get("/stats", (c) => c.json(pool.limiter.stats()));

  app.post("/settings", async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!isJsonObject(body)) {
      return c.json(
        { error: "invalid_request", error_description: "The body must be a JSON object" },
        400,
      );
    }
    const next: RuntimeSettings = { ...pool.runtime() };
    for (const [name, value] of Object.entries(body)) {
      if (!(SETTING_NAMES as readonly string[]).includes(name)) {
        return c.json(
          { error: "invalid_request", error_description: `Unknown setting "${name}"` },
          400,
        );
      }
      const valid = Number.isInteger(value) && (name === "clockOffsetMs" || (value as number) >= 0);
      if (!valid) {
        return c.json(
          {
            error: "invalid_request",
            error_description: `"${name}" must be a whole number${name === "clockOffsetMs" ? "" : " ≥ 0"}`,
          },
          400,
        );
      }
      next[name as keyof RuntimeSettings] = value as number;
    }
    pool.store.putSettings(next);
    return c.json(next);
  });

  app.post("/keys/rotate", async (c) => {
    const body: unknown = await c.req.json().catch(() => ({}));
    const dropOld = isJsonObject(body) && body.dropOld === true;
    const keys = await pool.keys.rotate({ dropOld });
    return c.json({
      access: keys.access.kid,
      id: keys.id.kid,
      retired: keys.retired.map((k) => k.kid),
    });
  });

  return app;
}
