import { createMiddleware } from "hono/factory";

/** Seconds a browser is told to wait while a secret is missing (a deploy puts it within that). */
export const MISSING_SECRET_RETRY_AFTER_SECONDS = 60;

/** Names of `Env` whose values are strings: variables and secrets, not bindings. */
type SecretName = { [K in keyof Env]: Env[K] extends string ? K : never }[keyof Env];

/**
 * The secrets the client cannot serve a request without: the static client's secret (every page
 * reads the configuration) and the key that encrypts its stored DCR registrations.
 */
export const REQUIRED_SECRETS = [
  "STATIC_CLIENT_SECRET",
  "CLIENT_STATE_KEY",
] as const satisfies readonly SecretName[];

/** The names among `names` that `env` does not set (absent, empty or blank). */
export function findMissingSecrets(
  env: Partial<Record<SecretName, unknown>>,
  names: readonly SecretName[],
): SecretName[] {
  return names.filter((name) => {
    const value = env[name];
    return typeof value !== "string" || value.trim() === "";
  });
}

/**
 * While a required secret is missing (a first deploy before its secrets land, a secret deleted by
 * hand), answers every request 503 `{"error":"temporarily_unavailable","error_description":"<NAME>
 * is not set"}` with `Retry-After` and `Cache-Control: no-store`, and logs `secret_missing`,
 * instead of failing deeper with a 500.
 */
export function requireSecrets(names: readonly SecretName[]) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
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
