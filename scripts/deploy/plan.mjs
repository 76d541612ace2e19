// What each worker gets in production: pure functions of the stack outputs and the deploy
// configuration, so tests check them with plain inputs.

import { hkdfSync } from "node:crypto";

/**
 * @typedef {object} DeployConfig
 * @property {string} [stackName] CloudFormation stack (default "mcp-cognito-workers")
 * @property {string} [region] AWS Region (default: the AWS CLI's)
 * @property {Record<string, string>} [parameters] template parameters (win over derived ones)
 * @property {string} [workersDevSubdomain] account's workers.dev subdomain
 * @property {Record<string, {customDomain?: string, vars?: Record<string, string>}>} [workers]
 */

/**
 * @typedef {object} PlanContext
 * @property {Record<string, string>} outputs the stack's outputs
 * @property {Record<string, string>} urls public origin of each worker, by name
 * @property {Record<string, string>} parameters the template parameters deployed
 */

/** Production value of each variable a worker may declare, by name. */
const PRODUCTION_VARS = {
  COGNITO_ISSUER: (c) => c.outputs.Issuer,
  COGNITO_IDP_ENDPOINT: (c) => c.outputs.IdpEndpoint,
  COGNITO_REGION: (c) => c.outputs.Region,
  COGNITO_USER_POOL_ID: (c) => c.outputs.UserPoolId,
  COGNITO_ACCESS_KEY_ID: (c) => c.outputs.DcrAccessKeyId,
  READ_SCOPE: (c) => c.outputs.ReadScope,
  WRITE_SCOPE: (c) => c.outputs.WriteScope,
  ALLOWED_SCOPES: (c) => `openid email profile ${c.outputs.ReadScope} ${c.outputs.WriteScope}`,
  DEFAULT_SCOPES: (c) => `openid ${c.outputs.ReadScope}`,
  STEP_UP_SCOPES: (c) => `${c.outputs.ReadScope} ${c.outputs.WriteScope}`,
  STATIC_SCOPES: (c) => `openid email profile ${c.outputs.ReadScope} ${c.outputs.WriteScope}`,
  STATIC_CLIENT_ID: (c) => c.outputs.StaticClientId,
  // workers/dcr's own issuer, and where mcp-rs sends clients: the facade's public origin.
  ISSUER: (c) => c.urls.dcr,
  AUTHORIZATION_SERVER: (c) => c.urls.dcr,
  RESOURCE_URL: (c) => c.urls["mcp-rs"] && `${c.urls["mcp-rs"]}/mcp`,
  MCP_SERVER_URL: (c) => c.urls["mcp-rs"] && `${c.urls["mcp-rs"]}/mcp`,
  STATIC_REDIRECT_URI: (c) => c.urls.client && `${c.urls.client}/callback`,
  // Resource binding (aud) needs the ESSENTIALS or PLUS plan.
  REQUIRE_AUDIENCE: (c) =>
    (c.parameters.FeaturePlan ?? "ESSENTIALS") === "LITE" ? "false" : "true",
  ALLOWED_ORIGINS: (c) => c.urls.client ?? "",
};

/**
 * Values production must have whatever deploy.config.json says; the deploy refuses an override
 * of one before it deploys anything (assertDeployConfig).
 */
const PINNED_PRODUCTION_VARS = {
  // Client ID Metadata Documents at http://localhost, 127.0.0.1 or [::1] are for local
  // development and tests only.
  CIMD_ALLOW_LOCAL_URLS: "false",
};

/**
 * Throws `TypeError` if deploy.config.json overrides a variable production must not change
 * (`workers.<name>.vars.CIMD_ALLOW_LOCAL_URLS` other than "false").
 * @param {DeployConfig} config
 */
export function assertDeployConfig(config) {
  for (const [worker, settings] of Object.entries(config.workers ?? {}))
    for (const [name, required] of Object.entries(PINNED_PRODUCTION_VARS)) {
      const value = settings?.vars?.[name];
      if (value !== undefined && value !== required)
        throw new TypeError(
          `deploy.config.json sets workers.${worker}.vars.${name} to ${JSON.stringify(value)}; production must have "${required}": remove it or set it to "${required}"`,
        );
    }
}

/** HKDF `info` of workers/client's CLIENT_STATE_KEY; changing it changes the key. */
const CLIENT_STATE_KEY_INFO = "mcp-cognito-workers client CLIENT_STATE_KEY v1";

/**
 * workers/client's CLIENT_STATE_KEY (base64url of 32 bytes): HKDF-SHA-256 over the stack's static
 * client secret, so every deploy of the same stack sets the same key (a new key would make every
 * stored registration unreadable) and no state is needed to remember it.
 * @param {string} staticClientSecret
 */
export function deriveClientStateKey(staticClientSecret) {
  if (typeof staticClientSecret !== "string" || staticClientSecret.length === 0)
    throw new TypeError(
      "CLIENT_STATE_KEY is derived from the static client secret, which is empty",
    );
  return Buffer.from(
    hkdfSync("sha256", staticClientSecret, Buffer.alloc(0), CLIENT_STATE_KEY_INFO, 32),
  ).toString("base64url");
}

/**
 * Secrets, by name: taken out of `[vars]` (where the local development values sit) and set with
 * `wrangler secret put`. A secret whose value is undefined (DCR_INITIAL_ACCESS_TOKEN when the
 * deployer's environment does not set it) is not set, and the worker runs without it.
 */
const PRODUCTION_SECRETS = {
  COGNITO_SECRET_ACCESS_KEY: (s) => s.dcrSecretAccessKey,
  STATIC_CLIENT_SECRET: (s) => s.staticClientSecret,
  CLIENT_STATE_KEY: (s) => deriveClientStateKey(s.staticClientSecret),
  DCR_INITIAL_ACCESS_TOKEN: (s) => s.env.DCR_INITIAL_ACCESS_TOKEN || undefined,
  FRONT_DOOR_KEY: (s) => s.frontDoorKey,
};

/** Names the deploy treats as secrets. */
export const SECRET_NAMES = Object.freeze(Object.keys(PRODUCTION_SECRETS));

/** Public origin of each worker: its custom domain, else `<name>.<subdomain>.workers.dev`. */
export function buildWorkerUrls(names, config) {
  return Object.fromEntries(
    names.map((name) => {
      const domain = config.workers?.[name]?.customDomain;
      if (domain) return [name, `https://${domain}`];
      if (!config.workersDevSubdomain)
        throw new TypeError(
          `worker ${name} has no public URL: set "workersDevSubdomain" or "workers.${name}.customDomain" in deploy.config.json`,
        );
      return [name, `https://${name}.${config.workersDevSubdomain}.workers.dev`];
    }),
  );
}

/** Template parameters: the client's callback and sign-out URLs when it exists, then the config's. */
export function buildStackParameters(urls, config) {
  const derived = {};
  if (urls.client) {
    derived.StaticClientCallbackURLs = `${urls.client}/callback`;
    derived.StaticClientLogoutURLs = `${urls.client}/`;
  }
  return { ...derived, ...config.parameters };
}

/** Title of the production KV namespace that stands for a local namespace id. */
export function kvNamespaceTitle(localId, config) {
  const prefix = config.stackName ?? "mcp-cognito-workers";
  return `${prefix}-${localId.replace(/-local$/, "")}`;
}

/**
 * A worker's production configuration (wrangler JSON) and secrets, from its committed raw
 * configuration. Throws `TypeError` if a variable would still point at localhost, or if the
 * configuration overrides a pinned variable (assertDeployConfig).
 * @param {{name: string}} worker
 * @param {Record<string, any>} rawConfig the committed wrangler.toml as JSON
 * @param {PlanContext & {config: DeployConfig, kvIds: Record<string, string>, secrets: {staticClientSecret: string, dcrSecretAccessKey: string, frontDoorKey: string, env: Record<string, string | undefined>}}} context
 */
export function buildWorkerDeployment(worker, rawConfig, context) {
  assertDeployConfig(context.config);
  const overrides = context.config.workers?.[worker.name] ?? {};
  const vars = {};
  const secrets = {};
  for (const [name, local] of Object.entries(rawConfig.vars ?? {})) {
    if (name in PRODUCTION_SECRETS) {
      const value = PRODUCTION_SECRETS[name](context.secrets);
      if (value !== undefined) secrets[name] = value;
      continue;
    }
    const value = PINNED_PRODUCTION_VARS[name] ?? PRODUCTION_VARS[name]?.(context);
    vars[name] = overrides.vars?.[name] ?? value ?? local;
  }
  for (const [name, value] of Object.entries(overrides.vars ?? {})) vars[name] = value;
  for (const [name, value] of Object.entries(vars))
    if (typeof value === "string" && /localhost|127\.0\.0\.1/.test(value))
      throw new TypeError(
        `${worker.name}: "${name}" would be "${value}" in production; set workers.${worker.name}.vars.${name} in deploy.config.json`,
      );

  const domain = overrides.customDomain;
  const wranglerConfig = {
    ...rawConfig,
    vars,
    workers_dev: !domain,
    ...(domain ? { routes: [{ pattern: domain, custom_domain: true }] } : {}),
    kv_namespaces: (rawConfig.kv_namespaces ?? []).map((ns) => ({
      binding: ns.binding,
      id: context.kvIds[ns.id],
    })),
  };
  return { wranglerConfig, secrets };
}
