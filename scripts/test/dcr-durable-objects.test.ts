import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildWorkerDeployment } from "../deploy/plan.mjs";
import { importWrangler, REPO_ROOT } from "../lib/wrangler.mjs";

const wrangler = await importWrangler();
const raw = wrangler.experimental_readRawConfig({
  config: join(REPO_ROOT, "workers", "dcr", "wrangler.toml"),
}).rawConfig as Record<string, unknown> & { kv_namespaces?: { id: string }[] };

const context = {
  outputs: {
    Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
    IdpEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
    Region: "eu-west-1",
    UserPoolId: "eu-west-1_Example",
    DcrAccessKeyId: "AKIAEXAMPLE",
    ReadScope: "mcp-api/read",
    WriteScope: "mcp-api/write",
  },
  urls: { dcr: "https://dcr.example.workers.dev" },
  parameters: {},
  config: {},
  kvIds: Object.fromEntries((raw.kv_namespaces ?? []).map((ns) => [ns.id, `prod-${ns.id}`])),
  secrets: {
    staticClientSecret: "s",
    dcrAccessKeyId: "AKIAEXAMPLE",
    dcrSecretAccessKey: "k",
    frontDoorKey: "stack-front-door-key",
    clientStateKeyMaterial: "c",
    env: {},
  },
};

describe("workers/dcr's Durable Object in production (npm run deploy)", () => {
  it("the committed configuration declares the RegistrationLimits object, its SQLite migration and both rate limiters", () => {
    expect(raw.durable_objects).toEqual({
      bindings: [{ name: "REGISTRATION_LIMITS", class_name: "RegistrationLimits" }],
    });
    expect(raw.migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["RegistrationLimits"] }]);
    expect((raw.ratelimits as { name: string }[]).map((r) => r.name)).toEqual([
      "REGISTER_RATE_LIMITER",
      "MANAGE_RATE_LIMITER",
    ]);
  });

  it("the production configuration keeps them as committed", () => {
    const { wranglerConfig } = buildWorkerDeployment({ name: "dcr" }, raw, context);
    expect(wranglerConfig.durable_objects).toEqual(raw.durable_objects);
    expect(wranglerConfig.migrations).toEqual(raw.migrations);
    expect(wranglerConfig.ratelimits).toEqual(raw.ratelimits);
    expect(wranglerConfig.main).toBe(raw.main);
    expect(wranglerConfig.vars).toMatchObject({
      REGISTRATIONS_PER_DAY: "500",
      REGISTRATIONS_PER_SOURCE_PER_DAY: "50",
      UNUSED_CLIENT_HOURS: "48",
    });
  });
});
