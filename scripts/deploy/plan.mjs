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
 * @property {{dcrAccessKeyId?: string}} [secrets] what the deploy read from the stack's secrets
 */

/** Production value of each variable a worker may declare, by name. */
const PRODUCTION_VARS = {
  COGNITO_ISSUER: (c) => c.outputs.Issuer,
  COGNITO_IDP_ENDPOINT: (c) => c.outputs.IdpEndpoint,
  COGNITO_REGION: (c) => c.outputs.Region,
  COGNITO_USER_POOL_ID: (c) => c.outputs.UserPoolId,
  // From the DcrCredentials secret, with the secret access key: never the stack output
  // DcrAccessKeyId, which names the template's first key and is stale once the key is rotated.
  COGNITO_ACCESS_KEY_ID: (c) => {
    // Never the committed development value: that would not match the secret access key.
    if (!c.secrets?.dcrAccessKeyId)
      throw new TypeError("COGNITO_ACCESS_KEY_ID needs the DcrCredentials secret's accessKeyId");
    return c.secrets.dcrAccessKeyId;
  },
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
 * Variables deploy.config.json may not set at all, and why: each must agree with something the
 * deploy reads elsewhere.
 */
const UNSETTABLE_VARS = {
  COGNITO_ACCESS_KEY_ID:
    "the deploy takes it from the stack's DcrCredentials secret with the secret access key, so the two always match",
};

/**
 * Throws `TypeError` if deploy.config.json overrides a variable production must not change
 * (`workers.<name>.vars.CIMD_ALLOW_LOCAL_URLS` other than "false"), one the deploy must take from
 * the stack (COGNITO_ACCESS_KEY_ID), or names a secret among a worker's vars (it would be put as
 * plain text).
 * @param {DeployConfig} config
 */
export function assertDeployConfig(config) {
  for (const [worker, settings] of Object.entries(config.workers ?? {})) {
    const vars = settings?.vars ?? {};
    for (const [name, required] of Object.entries(PINNED_PRODUCTION_VARS)) {
      const value = vars[name];
      if (value !== undefined && value !== required)
        throw new TypeError(
          `deploy.config.json sets workers.${worker}.vars.${name} to ${JSON.stringify(value)}; production must have "${required}": remove it or set it to "${required}"`,
        );
    }
    for (const [name, reason] of Object.entries(UNSETTABLE_VARS))
      if (name in vars)
        throw new TypeError(
          `deploy.config.json sets workers.${worker}.vars.${name}; ${reason}: remove it`,
        );
    for (const name of Object.keys(vars))
      if (name in PRODUCTION_SECRETS)
        throw new TypeError(
          `deploy.config.json sets workers.${worker}.vars.${name}, which is a secret: as a var it would be plain text; remove it (docs/deploy.md says where each secret comes from)`,
        );
  }
}

/** HKDF `info` of workers/client's CLIENT_STATE_KEY; changing it changes the key. */
const CLIENT_STATE_KEY_INFO = "mcp-cognito-workers client CLIENT_STATE_KEY v1";

/**
 * workers/client's CLIENT_STATE_KEY (base64url of 32 bytes): HKDF-SHA-256 over the stack's
 * `ClientStateKeySecret` (64 random alphanumerics generated by CloudFormation), so every deploy of
 * the same stack sets the same key (a new key would make every stored registration unreadable),
 * no state is needed to remember it, and nothing else in the stack (the static client's secret,
 * which dcr's IAM user can read) determines it.
 * @param {string} keyMaterial the ClientStateKeySecret's value
 */
export function deriveClientStateKey(keyMaterial) {
  if (typeof keyMaterial !== "string" || keyMaterial.length === 0)
    throw new TypeError(
      "CLIENT_STATE_KEY is derived from the ClientStateKeySecret, which is empty",
    );
  return Buffer.from(
    hkdfSync("sha256", keyMaterial, Buffer.alloc(0), CLIENT_STATE_KEY_INFO, 32),
  ).toString("base64url");
}

/**
 * Secrets, by name: taken out of `[vars]` (where the local development values sit) and uploaded
 * with the worker (`wrangler deploy --secrets-file`). A secret whose value is undefined
 * (DCR_INITIAL_ACCESS_TOKEN when the deployer's environment does not set it) is not in the plan:
 * the worker runs without it, and the deploy deletes it from a worker that has it.
 */
const PRODUCTION_SECRETS = {
  COGNITO_SECRET_ACCESS_KEY: (s) => s.dcrSecretAccessKey,
  STATIC_CLIENT_SECRET: (s) => s.staticClientSecret,
  CLIENT_STATE_KEY: (s) => deriveClientStateKey(s.clientStateKeyMaterial),
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

/**
 * Template parameters: the user pool's deletion protection on, the client's callback and sign-out
 * URLs when it exists, then the config's. DeletionProtection is given on every deploy because
 * `aws cloudformation deploy` keeps the stack's value of a parameter left out, which after an
 * interrupted `npm run cleanup` would be INACTIVE.
 */
export function buildStackParameters(urls, config) {
  const derived = { DeletionProtection: "ACTIVE" };
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
 * @param {PlanContext & {config: DeployConfig, kvIds: Record<string, string>, secrets: {staticClientSecret: string, dcrAccessKeyId: string, dcrSecretAccessKey: string, frontDoorKey: string, clientStateKeyMaterial: string, env: Record<string, string | undefined>}}} context
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
    // The worker's vars are exactly these: wrangler deletes the others (no --keep-vars).
    vars,
    keep_vars: false,
    workers_dev: !domain,
    ...(domain ? { routes: [{ pattern: domain, custom_domain: true }] } : {}),
    kv_namespaces: (rawConfig.kv_namespaces ?? []).map((ns) => ({
      binding: ns.binding,
      id: context.kvIds[ns.id],
    })),
  };
  return { wranglerConfig, secrets };
}
