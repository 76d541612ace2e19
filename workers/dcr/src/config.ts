/** The slice of `Env` that configures the facade. */
export type ConfigEnv = Pick<
  Env,
  | "ISSUER"
  | "COGNITO_ISSUER"
  | "COGNITO_IDP_ENDPOINT"
  | "COGNITO_REGION"
  | "COGNITO_USER_POOL_ID"
  | "COGNITO_ACCESS_KEY_ID"
  | "COGNITO_SECRET_ACCESS_KEY"
  | "ALLOWED_SCOPES"
  | "DEFAULT_SCOPES"
  | "STEP_UP_SCOPES"
  | "ALLOW_CLIENT_CREDENTIALS"
  | "REDIRECT_URI_ALLOW_PATTERNS"
  | "DCR_INITIAL_ACCESS_TOKEN"
  | "REGISTRATIONS_PER_SOURCE_PER_DAY"
  | "REGISTRATIONS_PER_DAY"
  | "STALE_AFTER_DAYS"
  | "UNUSED_CLIENT_HOURS"
  | "FRONT_DOOR_KEY"
  | "CONSENT_TTL_DAYS"
  | "CIMD_ALLOW_LOCAL_URLS"
  | "CIMD_ENABLED"
  | "ACCESS_TOKEN_MINUTES"
  | "APP_CLIENTS_PER_GROUP"
  | "COGNITO_CALLS_PER_SECOND"
  | "COGNITO_CALLS_PER_SECOND_TOTAL"
>;

/** Registration policy: what `POST /register` accepts. */
export interface RegistrationPolicy {
  allowedScopes: string[];
  defaultScopes: string[];
  /** Added to every authorization-code registration, so a client can step up to them later. */
  stepUpScopes: string[];
  allowClientCredentials: boolean;
  redirectUriAllowPatterns: RegExp[];
  /** Access-token lifetime of the app clients the facade creates (DCR and CIMD). */
  accessTokenMinutes: number;
}

/** Parsed configuration. */
export interface Config {
  /** This worker's issuer; undefined means "the request's origin". */
  issuer: string | undefined;
  cognito: {
    issuer: string;
    endpoint: string;
    region: string;
    userPoolId: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
  policy: RegistrationPolicy;
  initialAccessToken: string | undefined;
  /** App clients (DCR and CIMD) one source (IPv4 address, IPv6 /64) may create a UTC day; 0: no cap. */
  registrationsPerSourcePerDay: number;
  /** App clients (DCR and CIMD) created in all a UTC day; 0: no cap. */
  registrationsPerDay: number;
  staleAfterDays: number;
  /** A registration that never got a token is deleted this long after it was made; 0: never. */
  unusedClientHours: number;
  frontDoor: {
    /** Key material of the sealed transactions, codes and consent cookie. */
    key: string;
    /** How long an approval is remembered; 0 asks every time. */
    consentTtlSeconds: number;
    /** Whether CIMD URLs are accepted as client ids at all. */
    cimdEnabled: boolean;
    /** Whether CIMD URLs may be http://localhost (local development and tests only). */
    cimdAllowLocalUrls: boolean;
  };
  /** App clients (slots) of each group of shared app clients, 1 to {@link MAX_APP_CLIENTS_PER_GROUP}. */
  appClientsPerGroup: number;
  /** The facade's own limits on its calls to Cognito's app-client API, per second; 0: none. */
  cognitoCallLimits: { perOperation: number; total: number };
}

/** Most app clients a group of shared app clients may have. */
export const MAX_APP_CLIENTS_PER_GROUP = 10;

/** The shortest FRONT_DOOR_KEY accepted. */
export const MIN_FRONT_DOOR_KEY_LENGTH = 32;

function words(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((word) => word !== "");
}

function required(env: ConfigEnv, name: keyof ConfigEnv): string {
  const value = env[name];
  if (typeof value !== "string" || value.trim() === "")
    throw new TypeError(`configuration variable ${name} must be set`);
  return value.trim();
}

function positiveInteger(env: ConfigEnv, name: keyof ConfigEnv, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`configuration variable ${name} must be a non-negative integer`);
  return value;
}

/** Cognito's bounds on an access token's lifetime. */
export const ACCESS_TOKEN_MINUTES_RANGE = { min: 5, max: 24 * 60 } as const;

function accessTokenMinutes(env: ConfigEnv): number {
  const minutes = positiveInteger(env, "ACCESS_TOKEN_MINUTES", 15);
  if (minutes < ACCESS_TOKEN_MINUTES_RANGE.min || minutes > ACCESS_TOKEN_MINUTES_RANGE.max)
    throw new TypeError(
      `configuration variable ACCESS_TOKEN_MINUTES must be ${ACCESS_TOKEN_MINUTES_RANGE.min}-${ACCESS_TOKEN_MINUTES_RANGE.max}`,
    );
  return minutes;
}

function appClientsPerGroup(env: ConfigEnv): number {
  const slots = positiveInteger(env, "APP_CLIENTS_PER_GROUP", 2);
  if (slots < 1 || slots > MAX_APP_CLIENTS_PER_GROUP)
    throw new TypeError(
      `configuration variable APP_CLIENTS_PER_GROUP must be 1-${MAX_APP_CLIENTS_PER_GROUP}`,
    );
  return slots;
}

function frontDoorKey(env: ConfigEnv): string {
  const key = required(env, "FRONT_DOOR_KEY");
  if (key.length < MIN_FRONT_DOOR_KEY_LENGTH)
    throw new TypeError(
      `configuration variable FRONT_DOOR_KEY must be at least ${MIN_FRONT_DOOR_KEY_LENGTH} characters`,
    );
  return key;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A URL part of a pattern: `*` matches within one path segment or query value. */
function partSource(part: string): string {
  return part.split("*").map(escapeRegExp).join("[^/?#]*");
}

/**
 * Turns an allow pattern into an anchored RegExp, matched against a redirect URI in its
 * normalized form (`new URL(uri).href`). In the host, `*` may only stand as a whole leftmost
 * label (`https://*.example.com/cb`: one label, so the suffix matches on a label boundary); as
 * the port (`http://localhost:*\/cb`) it matches any port; elsewhere it matches within one path
 * segment or query value. Any other `*` in a host or port is a configuration error.
 */
export function compileRedirectPattern(pattern: string): RegExp {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(pattern);
  if (!match) return new RegExp(`^${partSource(pattern)}$`);
  const [, scheme = "", authority = "", rest = ""] = match;
  const colon = authority.lastIndexOf(":");
  const hasPort = colon > authority.lastIndexOf("]");
  const host = (hasPort ? authority.slice(0, colon) : authority).toLowerCase();
  const port = hasPort ? authority.slice(colon + 1) : undefined;
  let hostSource: string;
  if (!host.includes("*")) hostSource = escapeRegExp(host);
  else if (/^\*\.[^*]+$/.test(host)) hostSource = `[a-z0-9-]+${escapeRegExp(host.slice(1))}`;
  else
    throw new TypeError(
      `REDIRECT_URI_ALLOW_PATTERNS: in ${pattern}, "*" in a host must be a whole leftmost label, as in https://*.example.com/cb`,
    );
  let portSource = "";
  if (port === "*") portSource = ":[0-9]{1,5}";
  else if (port !== undefined) {
    if (port.includes("*"))
      throw new TypeError(`REDIRECT_URI_ALLOW_PATTERNS: in ${pattern}, "*" must be the whole port`);
    portSource = escapeRegExp(`:${port}`);
  }
  return new RegExp(
    `^${escapeRegExp(scheme.toLowerCase())}${hostSource}${portSource}${partSource(rest)}$`,
  );
}

/** Reads and checks the configuration; a mistake is a TypeError (a 500, logged). */
export function readConfig(env: ConfigEnv): Config {
  const allowedScopes = words(env.ALLOWED_SCOPES);
  const defaultScopes = words(env.DEFAULT_SCOPES || "openid mcp-api/read");
  for (const scope of defaultScopes)
    if (!allowedScopes.includes(scope))
      throw new TypeError(`DEFAULT_SCOPES names ${scope}, which ALLOWED_SCOPES does not`);
  const stepUpScopes = words(env.STEP_UP_SCOPES);
  for (const scope of stepUpScopes)
    if (!allowedScopes.includes(scope))
      throw new TypeError(`STEP_UP_SCOPES names ${scope}, which ALLOWED_SCOPES does not`);
  const issuer = env.ISSUER?.trim() ? new URL(env.ISSUER).origin : undefined;
  return {
    issuer,
    cognito: {
      issuer: required(env, "COGNITO_ISSUER").replace(/\/+$/, ""),
      endpoint: required(env, "COGNITO_IDP_ENDPOINT"),
      region: required(env, "COGNITO_REGION"),
      userPoolId: required(env, "COGNITO_USER_POOL_ID"),
      accessKeyId: required(env, "COGNITO_ACCESS_KEY_ID"),
      secretAccessKey: required(env, "COGNITO_SECRET_ACCESS_KEY"),
    },
    policy: {
      allowedScopes,
      defaultScopes,
      stepUpScopes,
      allowClientCredentials: env.ALLOW_CLIENT_CREDENTIALS?.trim() === "true",
      redirectUriAllowPatterns: words(env.REDIRECT_URI_ALLOW_PATTERNS).map(compileRedirectPattern),
      accessTokenMinutes: accessTokenMinutes(env),
    },
    initialAccessToken: env.DCR_INITIAL_ACCESS_TOKEN?.trim() || undefined,
    registrationsPerSourcePerDay: positiveInteger(env, "REGISTRATIONS_PER_SOURCE_PER_DAY", 50),
    registrationsPerDay: positiveInteger(env, "REGISTRATIONS_PER_DAY", 500),
    staleAfterDays: positiveInteger(env, "STALE_AFTER_DAYS", 90),
    unusedClientHours: positiveInteger(env, "UNUSED_CLIENT_HOURS", 48),
    frontDoor: {
      key: frontDoorKey(env),
      consentTtlSeconds: positiveInteger(env, "CONSENT_TTL_DAYS", 30) * 24 * 60 * 60,
      cimdEnabled: env.CIMD_ENABLED?.trim() !== "false",
      cimdAllowLocalUrls: env.CIMD_ALLOW_LOCAL_URLS?.trim() === "true",
    },
    appClientsPerGroup: appClientsPerGroup(env),
    cognitoCallLimits: {
      perOperation: positiveInteger(env, "COGNITO_CALLS_PER_SECOND", 5),
      total: positiveInteger(env, "COGNITO_CALLS_PER_SECOND_TOTAL", 15),
    },
  };
}
