import { createMiddleware } from "hono/factory";

/** Seconds a client is told to wait while a secret is missing (a deploy puts it within that). */
export const MISSING_SECRET_RETRY_AFTER_SECONDS = 60;

/** The names among `names` that `env` does not set (absent, empty or blank). */
export function findMissingSecrets<Name extends string>(
  env: Partial<Record<Name, unknown>>,
  names: readonly Name[],
): Name[] {
  return names.filter((name) => {
    const value = env[name];
    return typeof value !== "string" || value.trim() === "";
  });
}

/**
 * While a required secret is missing (a first deploy before its secrets land, a secret deleted by
 * hand), answers every request 503 `{"error":"temporarily_unavailable","error_description":"<NAME>
 * is not set"}` with `Retry-After` and `Cache-Control: no-store`, and logs `secret_missing` with
 * the names only, instead of failing deeper with a 500.
 */
export function requireSecrets<Name extends string>(names: readonly Name[]) {
  return createMiddleware<{ Bindings: Partial<Record<Name, unknown>> }>(async (c, next) => {
    const missing = findMissingSecrets(c.env, names);
    if (missing.length === 0) return next();
    console.error(JSON.stringify({ event: "secret_missing", names: missing }));
    return c.json(
      {
        error: "temporarily_unavailable",
        error_description: `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`,
      },
      503,
      {
        "Cache-Control": "no-store",
        "Retry-After": String(MISSING_SECRET_RETRY_AFTER_SECONDS),
        "X-Content-Type-Options": "nosniff",
      },
    );
  });
}
