import { logEvent } from "@mcp-cognito-workers/http";
import { RequestError } from "./http/errors";

/**
 * What the resource server needs from its environment, checked once per env object (see the
 * config middleware).
 */
export type ConfigEnv = Pick<
  Env,
  | "COGNITO_ISSUER"
  | "AUTHORIZATION_SERVER"
  | "RESOURCE_URL"
  | "READ_SCOPE"
  | "WRITE_SCOPE"
  | "REQUIRE_AUDIENCE"
  | "CHALLENGE_ALL_SCOPES"
  | "ALLOWED_ORIGINS"
>;

/** The resource server's configuration, parsed from its variables. */
export interface Config {
  /** Cognito's issuer, exactly as its tokens carry it; never rebuilt from region and pool id. */
  issuer: string;
  /** Issuer of the authorization server clients are sent to (the workers/dcr facade). */
  authorizationServer: string;
  /** Canonical resource URL; when absent it is derived from the request origin + `/mcp`. */
  resourceUrl: string | undefined;
  readScope: string;
  writeScope: string;
  /** Whether every token must carry an `aud` naming this server (RFC 8707 resource binding). */
  requireAudience: boolean;
  /**
   * Whether a 401 challenge names every scope the tools need, not only the read scope: for clients
   * that authorize once with the challenge's scope and never step up on a 403.
   */
  challengeAllScopes: boolean;
  /** Origins allowed besides the server's own; `*` matches any port (`http://localhost:*`). */
  allowedOrigins: string[];
}

/**
 * Reads and checks the variables. A missing variable that has no default (`COGNITO_ISSUER`,
 * `AUTHORIZATION_SERVER`, `READ_SCOPE`, `WRITE_SCOPE`, `REQUIRE_AUDIENCE`) is a 503 naming it (see
 * `requireSet`); a malformed one is a deployment mistake (TypeError → 500, its cause logged).
 */
export function readConfig(env: ConfigEnv): Config {
  const issuer = requireUrl(requireSet(env.COGNITO_ISSUER, "COGNITO_ISSUER"), "COGNITO_ISSUER");
  const authorizationServer = requireUrl(
    requireSet(env.AUTHORIZATION_SERVER, "AUTHORIZATION_SERVER"),
    "AUTHORIZATION_SERVER",
  );
  const resourceUrl = env.RESOURCE_URL ? requireUrl(env.RESOURCE_URL, "RESOURCE_URL") : undefined;
  const readScope = requireScope(requireSet(env.READ_SCOPE, "READ_SCOPE"), "READ_SCOPE");
  const writeScope = requireScope(requireSet(env.WRITE_SCOPE, "WRITE_SCOPE"), "WRITE_SCOPE");
  const allowedOrigins = (env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    issuer,
    authorizationServer,
    resourceUrl,
    readScope,
    writeScope,
    // No default: a security switch left unset is refused, not taken as off.
    requireAudience: parseSwitch(
      requireSet(env.REQUIRE_AUDIENCE, "REQUIRE_AUDIENCE"),
      "REQUIRE_AUDIENCE",
    ),
    challengeAllScopes: parseSwitch(env.CHALLENGE_ALL_SCOPES, "CHALLENGE_ALL_SCOPES"),
    allowedOrigins,
  };
}

/** Seconds a client is told to wait while a variable without a default is missing. */
export const MISSING_VARIABLE_RETRY_AFTER_SECONDS = 60;

/**
 * A variable without a default: while it is missing (absent, empty or blank), every request
 * answers 503 `temporarily_unavailable` naming it (with `Retry-After`), and the log says which.
 */
function requireSet(value: string | undefined, name: string): string {
  if (value !== undefined && value.trim() !== "") return value;
  logEvent("error", "configuration_missing", { name });
  throw new RequestError("temporarily_unavailable", `${name} is not set`, 503, {
    "retry-after": String(MISSING_VARIABLE_RETRY_AFTER_SECONDS),
  });
}

function requireUrl(value: string, name: string): string {
  if (!URL.canParse(value)) throw new TypeError(`"${name}" must be an absolute URL`);
  return value.replace(/\/+$/, "");
}

/** `"true"` or `"false"`; empty or absent is off. */
function parseSwitch(value: string | undefined, name: string): boolean {
  if (value !== "true" && value !== "false" && value)
    throw new TypeError(`"${name}" must be "true" or "false"`);
  return value === "true";
}

function requireScope(value: string, name: string): string {
  if (/[\s"\\]/.test(value))
    throw new TypeError(`"${name}" must be one scope token without spaces or quotes`);
  return value;
}
