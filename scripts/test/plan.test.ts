import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  assertDeployConfig,
  buildStackParameters,
  buildWorkerDeployment,
  buildWorkerUrls,
  deriveClientStateKey,
  kvNamespaceTitle,
} from "../deploy/plan.mjs";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

type PlanSecrets = {
  staticClientSecret: string;
  dcrAccessKeyId: string;
  dcrSecretAccessKey: string;
  frontDoorKey: string;
  clientStateKeyMaterial: string;
  env: Record<string, string>;
};

/**
 * What buildWorkerDeployment is given after the stack: empty outputs, URLs, parameters, config and
 * KV ids, and placeholder secrets, each replaced where `overrides` says.
 */
function planContext(
  overrides: { outputs?: Record<string, string>; secrets?: Partial<PlanSecrets> } = {},
) {
  return {
    outputs: overrides.outputs ?? {},
    urls: {},
    parameters: {},
    config: {},
    kvIds: {},
    secrets: {
      staticClientSecret: "s",
      dcrAccessKeyId: "AKIAK",
      dcrSecretAccessKey: "k",
      frontDoorKey: "f",
      clientStateKeyMaterial: "c",
      env: {},
      ...overrides.secrets,
    },
  };
}

describe("production plan: pure decisions of npm run deploy", () => {
  it("deploy.config.example.json is valid JSON that gives every worker a URL", () => {
    const example = JSON.parse(readFileSync(join(root, "deploy.config.example.json"), "utf8"));
    expect(buildWorkerUrls(["mcp-rs", "dcr", "client"], example)).toEqual({
      "mcp-rs": "https://mcp-rs.your-subdomain.workers.dev",
      dcr: "https://dcr.your-subdomain.workers.dev",
      client: "https://client.your-subdomain.workers.dev",
    });
  });

  it("derives the static client's callback and sign-out URLs, which the config overrides", () => {
    const urls = { client: "https://c.example.com" };
    expect(buildStackParameters(urls, {})).toEqual({
      DeletionProtection: "ACTIVE",
      StaticClientCallbackURLs: "https://c.example.com/callback",
      StaticClientLogoutURLs: "https://c.example.com/",
    });
    expect(
      buildStackParameters(urls, { parameters: { StaticClientLogoutURLs: "https://x/" } }),
    ).toMatchObject({ StaticClientLogoutURLs: "https://x/" });
    expect(buildStackParameters({}, {})).toEqual({ DeletionProtection: "ACTIVE" });
  });

  it("turns the user pool's deletion protection on at every deploy, unless the config says otherwise", () => {
    // Left out, `aws cloudformation deploy` would keep the INACTIVE of an interrupted cleanup.
    expect(buildStackParameters({}, { parameters: { DomainPrefix: "x" } })).toEqual({
      DeletionProtection: "ACTIVE",
      DomainPrefix: "x",
    });
    expect(buildStackParameters({}, { parameters: { DeletionProtection: "INACTIVE" } })).toEqual({
      DeletionProtection: "INACTIVE",
    });
  });

  it("names KV namespaces after the stack and the local id", () => {
    expect(kvNamespaceTitle("mcp-registrations-local", {})).toBe(
      "mcp-cognito-workers-mcp-registrations",
    );
    expect(kvNamespaceTitle("mcp-registrations-local", { stackName: "prod" })).toBe(
      "prod-mcp-registrations",
    );
  });

  it("refuses a production variable that still points at localhost", () => {
    const raw = { name: "x", vars: { UNKNOWN_URL: "http://localhost:1234" } };
    const context = planContext();
    expect(() => buildWorkerDeployment({ name: "x" }, raw, context)).toThrow(
      'x: "UNKNOWN_URL" would be "http://localhost:1234" in production; set workers.x.vars.UNKNOWN_URL in deploy.config.json',
    );
    const fixed = buildWorkerDeployment({ name: "x" }, raw, {
      ...context,
      config: { workers: { x: { vars: { UNKNOWN_URL: "https://x.example.com" } } } },
    });
    expect(fixed.wranglerConfig.vars).toEqual({ UNKNOWN_URL: "https://x.example.com" });
  });

  it("dcr's key pair: both halves from DcrCredentials, the stack output ignored, neither overridable", () => {
    const raw = {
      name: "dcr",
      vars: { COGNITO_ACCESS_KEY_ID: "AKIALOCALDEVELOPMENT", COGNITO_SECRET_ACCESS_KEY: "local" },
    };
    const context = planContext({
      outputs: { DcrAccessKeyId: "AKIATEMPLATESFIRSTKEY" },
      secrets: { dcrAccessKeyId: "AKIAROTATEDKEY000001", dcrSecretAccessKey: "rotated-secret" },
    });
    const deployment = buildWorkerDeployment({ name: "dcr" }, raw, context);
    expect(deployment.wranglerConfig.vars).toEqual({
      COGNITO_ACCESS_KEY_ID: "AKIAROTATEDKEY000001",
    });
    expect(deployment.secrets).toEqual({ COGNITO_SECRET_ACCESS_KEY: "rotated-secret" });
    expect(deployment.wranglerConfig.keep_vars).toBe(false);
    for (const name of ["COGNITO_ACCESS_KEY_ID", "COGNITO_SECRET_ACCESS_KEY", "FRONT_DOOR_KEY"]) {
      const config = { workers: { dcr: { vars: { [name]: "x" } } } };
      expect(() => assertDeployConfig(config)).toThrow(TypeError);
      expect(() => buildWorkerDeployment({ name: "dcr" }, raw, { ...context, config })).toThrow(
        `deploy.config.json sets workers.dcr.vars.${name}`,
      );
    }
  });

  it("REQUIRE_AUDIENCE follows the feature plan: resource binding needs ESSENTIALS or PLUS", () => {
    const raw = { name: "mcp-rs", vars: { REQUIRE_AUDIENCE: "false" } };
    const base = planContext();
    const vars = (parameters: Record<string, string>) =>
      buildWorkerDeployment({ name: "mcp-rs" }, raw, { ...base, parameters }).wranglerConfig.vars;
    expect(vars({})).toEqual({ REQUIRE_AUDIENCE: "true" });
    expect(vars({ FeaturePlan: "LITE" })).toEqual({ REQUIRE_AUDIENCE: "false" });
  });

  it("CHALLENGE_ALL_SCOPES keeps its committed value unless deploy.config.json sets it", () => {
    const raw = { name: "mcp-rs", vars: { CHALLENGE_ALL_SCOPES: "false" } };
    const base = planContext();
    const vars = (config: Record<string, unknown>) =>
      buildWorkerDeployment({ name: "mcp-rs" }, raw, { ...base, config }).wranglerConfig.vars;
    expect(vars({})).toEqual({ CHALLENGE_ALL_SCOPES: "false" });
    expect(vars({ workers: { "mcp-rs": { vars: { CHALLENGE_ALL_SCOPES: "true" } } } })).toEqual({
      CHALLENGE_ALL_SCOPES: "true",
    });
  });

  it("CLIENT_STATE_KEY: deterministic, 32 bytes as 43 base64url chars, from its own key material", () => {
    const material = "ClientStateKeyMaterialFromCloudFormation0123456789abcdefghijklmn";
    const staticSecret = "static-client-secret-value-0123456789";
    const key = deriveClientStateKey(material);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, "base64url")).toHaveLength(32);
    expect(deriveClientStateKey(material)).toBe(key);
    expect(key).not.toContain(material.slice(0, 16));
    expect(deriveClientStateKey(`${material}x`)).not.toBe(key);
    expect(() => deriveClientStateKey("")).toThrow(TypeError);

    // It is a secret of the worker that declares it, never a var, and the static client's
    // secret (which dcr's IAM user can read) plays no part in it.
    const raw = { name: "client", vars: { APP_NAME: "x", CLIENT_STATE_KEY: "local-value" } };
    const deploymentWith = (staticClientSecret: string) =>
      buildWorkerDeployment(
        { name: "client" },
        raw,
        planContext({ secrets: { staticClientSecret, clientStateKeyMaterial: material } }),
      );
    const deployment = deploymentWith(staticSecret);
    expect(deployment.wranglerConfig.vars).toEqual({ APP_NAME: "x" });
    expect(deployment.secrets).toEqual({ CLIENT_STATE_KEY: key });
    expect(deploymentWith("another-static-client-secret").secrets).toEqual({
      CLIENT_STATE_KEY: key,
    });
    expect(key).not.toBe(deriveClientStateKey(staticSecret));
  });

  describe("workers/dcr's front door in production", () => {
    // The committed [vars] of workers/dcr that this rule concerns, with their local values.
    const raw = {
      name: "dcr",
      vars: {
        FRONT_DOOR_KEY: "local-development-front-door-key-not-for-production-0001",
        CONSENT_TTL_DAYS: "30",
        CIMD_ALLOW_LOCAL_URLS: "true",
      },
    };
    const context = planContext({ secrets: { frontDoorKey: "stack-front-door-key" } });

    it("FRONT_DOOR_KEY is the stack's secret, put as a secret, never a var", () => {
      const deployment = buildWorkerDeployment({ name: "dcr" }, raw, context);
      expect(deployment.secrets).toEqual({ FRONT_DOOR_KEY: "stack-front-door-key" });
      expect(deployment.wranglerConfig.vars).not.toHaveProperty("FRONT_DOOR_KEY");
    });

    it('CIMD_ALLOW_LOCAL_URLS is "false" and CONSENT_TTL_DAYS keeps its committed value', () => {
      expect(buildWorkerDeployment({ name: "dcr" }, raw, context).wranglerConfig.vars).toEqual({
        CONSENT_TTL_DAYS: "30",
        CIMD_ALLOW_LOCAL_URLS: "false",
      });
      const overridden = buildWorkerDeployment({ name: "dcr" }, raw, {
        ...context,
        config: {
          workers: { dcr: { vars: { CONSENT_TTL_DAYS: "0", CIMD_ALLOW_LOCAL_URLS: "false" } } },
        },
      });
      expect(overridden.wranglerConfig.vars).toEqual({
        CONSENT_TTL_DAYS: "0",
        CIMD_ALLOW_LOCAL_URLS: "false",
      });
    });

    it('refuses a deploy.config.json that sets CIMD_ALLOW_LOCAL_URLS to anything but "false"', () => {
      for (const value of ["true", "false ", "", 0, false, null]) {
        // Not only strings: deploy.config.json is JSON a person wrote.
        const config = { workers: { dcr: { vars: { CIMD_ALLOW_LOCAL_URLS: value as string } } } };
        const message = `deploy.config.json sets workers.dcr.vars.CIMD_ALLOW_LOCAL_URLS to ${JSON.stringify(value)}; production must have "false": remove it or set it to "false"`;
        expect(() => assertDeployConfig(config)).toThrow(new TypeError(message));
        expect(() => buildWorkerDeployment({ name: "dcr" }, raw, { ...context, config })).toThrow(
          new TypeError(message),
        );
      }
      // Whichever worker it is set under: the variable would be added to that worker.
      expect(() =>
        assertDeployConfig({ workers: { "mcp-rs": { vars: { CIMD_ALLOW_LOCAL_URLS: "true" } } } }),
      ).toThrow(TypeError);
      expect(() => assertDeployConfig({})).not.toThrow();
      expect(() =>
        assertDeployConfig({ workers: { dcr: { vars: { CIMD_ALLOW_LOCAL_URLS: "false" } } } }),
      ).not.toThrow();
    });
  });
});
