/** What the resource server needs from its environment, checked once per request. */
export type ConfigEnv = Pick<
  Env,
  | "COGNITO_ISSUER"
  | "AUTHORIZATION_SERVER"
  | "RESOURCE_URL"
  | "READ_SCOPE"
  | "WRITE_SCOPE"
  | "REQUIRE_AUDIENCE"
  | "ALLOWED_ORIGINS"
>;

/** The resource server's configuration, parsed from its variables. */
export interface ResourceServerConfig {
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
  /** Origins allowed besides the server's own; `*` matches any port (`http://localhost:*`). */
  allowedOrigins: string[];
}

/** Parses the variables; a missing or malformed one is a deployment mistake (TypeError → 500). */
export function parseConfig(env: ConfigEnv): ResourceServerConfig {
  const issuer = requireUrl(env.COGNITO_ISSUER, "COGNITO_ISSUER");
  const authorizationServer = requireUrl(env.AUTHORIZATION_SERVER, "AUTHORIZATION_SERVER");
  const resourceUrl = env.RESOURCE_URL ? requireUrl(env.RESOURCE_URL, "RESOURCE_URL") : undefined;
  const readScope = requireScope(env.READ_SCOPE, "READ_SCOPE");
  const writeScope = requireScope(env.WRITE_SCOPE, "WRITE_SCOPE");
  if (env.REQUIRE_AUDIENCE !== "true" && env.REQUIRE_AUDIENCE !== "false" && env.REQUIRE_AUDIENCE)
    throw new TypeError('"REQUIRE_AUDIENCE" must be "true" or "false"');
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
    requireAudience: env.REQUIRE_AUDIENCE === "true",
    allowedOrigins,
  };
}

function requireUrl(value: string | undefined, name: string): string {
  if (!value || !URL.canParse(value)) throw new TypeError(`"${name}" must be an absolute URL`);
  return value.replace(/\/+$/, "");
}

function requireScope(value: string | undefined, name: string): string {
  if (!value || /[\s"\\]/.test(value))
    throw new TypeError(`"${name}" must be one scope token without spaces or quotes`);
  return value;
}
