import { createHash, createHmac } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deploy, normalizeDeployState, secretFingerprint } from "../deploy/deploy.mjs";
import { deriveClientStateKey } from "../deploy/plan.mjs";
import {
  CLIENT_STATE_KEY_MATERIAL,
  createFakeRunner,
  DCR_SECRET_ACCESS_KEY,
  FRONT_DOOR_KEY,
  OUTPUTS,
  STATIC_CLIENT_SECRET,
  WRANGLER_BIN,
} from "./fake-runner.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const template = join(root, "infra", "cognito.yaml");
// The committed configurations of the two workers that exist for sure; workers/client joins
// through listDeployableWorkers, which dry-run.test.ts checks.
const workers = ["dcr", "mcp-rs"].map((name) => ({
  name,
  dir: join(root, "workers", name),
  configPath: join(root, "workers", name, "wrangler.toml"),
}));
const config = {
  stackName: "mcp-test",
  region: "eu-west-1",
  parameters: { DomainPrefix: "mcp-test" },
  workersDevSubdomain: "acme",
};

async function runDeploy(
  fake: ReturnType<typeof createFakeRunner>,
  env: Record<string, string> = {},
  deployConfig: Record<string, unknown> = config,
) {
  const files = new Map<string, GeneratedConfig>();
  const logs: string[] = [];
  await deploy({
    workers,
    wranglerBin: WRANGLER_BIN,
    config: deployConfig,
    run: fake.run,
    readState: fake.readState,
    writeState: fake.writeState,
    env,
    writeFile: (path: string, text: string) => files.set(path, JSON.parse(text)),
    log: (line: string) => logs.push(line),
  });
  return { files, logs };
}

/** The fields of a generated wrangler.deploy.json the tests look at. */
interface GeneratedConfig {
  name: string;
  main: string;
  workers_dev: boolean;
  routes?: unknown;
  kv_namespaces: unknown;
  durable_objects: unknown;
  vars: Record<string, string>;
}

const dcrConfig = join(root, "workers", "dcr", "wrangler.deploy.json");
const mcpConfig = join(root, "workers", "mcp-rs", "wrangler.deploy.json");

describe("npm run deploy: the calls made, in order", () => {
  it("deploys the stack, reads outputs and secrets, creates KV, deploys workers, puts secrets", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    const aws = "--region eu-west-1";
    expect(fake.calls).toEqual([
      {
        command: `aws cloudformation deploy --template-file ${template} --stack-name mcp-test --capabilities CAPABILITY_IAM --parameter-overrides DeletionProtection=ACTIVE DomainPrefix=mcp-test --no-fail-on-empty-changeset ${aws}`,
      },
      { command: `aws cloudformation describe-stacks --stack-name mcp-test --output json ${aws}` },
      {
        command: `aws secretsmanager get-secret-value --secret-id ${OUTPUTS.StaticClientSecretArn} --query SecretString --output text ${aws}`,
      },
      {
        command: `aws secretsmanager get-secret-value --secret-id ${OUTPUTS.DcrCredentialsArn} --query SecretString --output text ${aws}`,
      },
      {
        command: `aws secretsmanager get-secret-value --secret-id ${OUTPUTS.FrontDoorKeySecretArn} --query SecretString --output text ${aws}`,
      },
      {
        command: `aws secretsmanager get-secret-value --secret-id ${OUTPUTS.ClientStateKeySecretArn} --query SecretString --output text ${aws}`,
      },
      { command: "wrangler kv namespace list", cwd: root },
      { command: "wrangler kv namespace create mcp-test-mcp-registrations", cwd: root },
      { command: "wrangler kv namespace list", cwd: root },
      { command: `wrangler deploy --config ${dcrConfig}`, cwd: workers[0].dir },
      { command: `wrangler secret list --config ${dcrConfig}`, cwd: workers[0].dir },
      {
        command: `wrangler secret put COGNITO_SECRET_ACCESS_KEY --config ${dcrConfig}`,
        cwd: workers[0].dir,
        input: DCR_SECRET_ACCESS_KEY,
      },
      {
        command: `wrangler secret put FRONT_DOOR_KEY --config ${dcrConfig}`,
        cwd: workers[0].dir,
        input: FRONT_DOOR_KEY,
      },
      { command: `wrangler deploy --config ${mcpConfig}`, cwd: workers[1].dir },
    ]);
  });

  it("writes each worker's production configuration without touching wrangler.toml", async () => {
    const fake = createFakeRunner();
    const { files } = await runDeploy(fake);
    expect([...files.keys()]).toEqual([dcrConfig, mcpConfig]);
    const kvId = fake.namespaces[0].id;
    const dcr = files.get(dcrConfig) as GeneratedConfig;
    expect(dcr.name).toBe("dcr");
    expect(dcr.main).toBe("src/index.ts");
    expect(dcr.workers_dev).toBe(true);
    expect(dcr.kv_namespaces).toEqual([{ binding: "REGISTRATIONS", id: kvId }]);
    expect(dcr.vars).toMatchObject({
      ISSUER: "https://dcr.acme.workers.dev",
      COGNITO_ISSUER: OUTPUTS.Issuer,
      COGNITO_IDP_ENDPOINT: OUTPUTS.IdpEndpoint,
      COGNITO_REGION: "eu-west-1",
      COGNITO_USER_POOL_ID: OUTPUTS.UserPoolId,
      COGNITO_ACCESS_KEY_ID: OUTPUTS.DcrAccessKeyId,
      ALLOWED_SCOPES: "openid email profile mcp-api/read mcp-api/write",
      DEFAULT_SCOPES: "openid mcp-api/read",
      STEP_UP_SCOPES: "mcp-api/read mcp-api/write",
      CONSENT_TTL_DAYS: "30",
      CIMD_ALLOW_LOCAL_URLS: "false",
    });
    // Secrets are never vars: a var would clash with the secret of the same name.
    expect(dcr.vars).not.toHaveProperty("COGNITO_SECRET_ACCESS_KEY");
    expect(dcr.vars).not.toHaveProperty("DCR_INITIAL_ACCESS_TOKEN");
    expect(dcr.vars).not.toHaveProperty("FRONT_DOOR_KEY");
    const mcp = files.get(mcpConfig) as GeneratedConfig;
    expect(mcp.kv_namespaces).toEqual([{ binding: "REGISTRATIONS", id: kvId }]);
    expect(mcp.durable_objects).toEqual({
      bindings: [{ name: "USER_CONTEXTS", class_name: "UserContexts" }],
    });
    expect(mcp.vars).toEqual({
      COGNITO_ISSUER: OUTPUTS.Issuer,
      AUTHORIZATION_SERVER: "https://dcr.acme.workers.dev",
      RESOURCE_URL: "https://mcp-rs.acme.workers.dev/mcp",
      READ_SCOPE: "mcp-api/read",
      WRITE_SCOPE: "mcp-api/write",
      REQUIRE_AUDIENCE: "true",
      ALLOWED_ORIGINS: "",
    });
  });

  it("never puts a secret in argv, a generated file or the log", async () => {
    const fake = createFakeRunner();
    const { files, logs } = await runDeploy(fake, {
      DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789",
    });
    const secrets = [
      STATIC_CLIENT_SECRET,
      DCR_SECRET_ACCESS_KEY,
      FRONT_DOOR_KEY,
      CLIENT_STATE_KEY_MATERIAL,
      deriveClientStateKey(CLIENT_STATE_KEY_MATERIAL),
      "initial-token-0123456789",
    ];
    const visible = [
      ...fake.calls.map((c) => c.command),
      ...[...files.values()].map((f) => JSON.stringify(f)),
      ...logs,
    ].join("\n");
    for (const secret of secrets) expect(visible).not.toContain(secret);
    expect(fake.calls.filter((c) => c.input !== undefined)).toEqual([
      expect.objectContaining({
        command: expect.stringContaining("COGNITO_SECRET_ACCESS_KEY"),
        input: DCR_SECRET_ACCESS_KEY,
      }),
      expect.objectContaining({
        command: expect.stringContaining("DCR_INITIAL_ACCESS_TOKEN"),
        input: "initial-token-0123456789",
      }),
      expect.objectContaining({
        command: expect.stringContaining("FRONT_DOOR_KEY"),
        input: FRONT_DOOR_KEY,
      }),
    ]);
  });

  it("a second run reuses the namespace, redeploys the same configuration and puts no secret", async () => {
    const fake = createFakeRunner();
    const first = await runDeploy(fake);
    fake.calls.length = 0;
    const second = await runDeploy(fake);
    expect(fake.namespaces).toHaveLength(1);
    expect(fake.calls.map((c) => c.command.split(" --")[0])).toEqual([
      "aws cloudformation deploy",
      "aws cloudformation describe-stacks",
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "wrangler kv namespace list",
      "wrangler deploy",
      "wrangler secret list",
      "wrangler deploy",
    ]);
    expect(second.files).toEqual(first.files);
    expect(second.logs).toContain("dcr: secret COGNITO_SECRET_ACCESS_KEY unchanged");
    expect(second.logs).toContain("dcr: secret FRONT_DOOR_KEY unchanged");
    // Only fingerprints are remembered, never the value.
    expect(JSON.stringify(fake.deployState)).not.toContain(DCR_SECRET_ACCESS_KEY);
    expect(JSON.stringify(fake.deployState)).not.toContain(FRONT_DOOR_KEY);
  });

  it("puts a secret again when its value changed or the worker lost it", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.calls.length = 0;
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" });
    expect(fake.calls.filter((c) => c.input !== undefined).map((c) => c.input)).toEqual([
      "new-initial-token-0123456789",
    ]);
    fake.calls.length = 0;
    fake.secrets.clear(); // e.g. the worker was deleted and created again
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" });
    expect(fake.calls.filter((c) => c.input !== undefined).map((c) => c.input)).toEqual([
      DCR_SECRET_ACCESS_KEY,
      "new-initial-token-0123456789",
      FRONT_DOOR_KEY,
    ]);
  });

  it("rotating FRONT_DOOR_KEY: a new value in Secrets Manager is put on the next run, alone", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.calls.length = 0;
    // aws secretsmanager put-secret-value --secret-id <FrontDoorKeySecretArn> --secret-string …
    const rotated = "RotatedFrontDoorKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI";
    fake.stackSecrets.set(OUTPUTS.FrontDoorKeySecretArn, rotated);
    const { logs } = await runDeploy(fake);
    expect(fake.calls.filter((c) => c.input !== undefined)).toEqual([
      {
        command: `wrangler secret put FRONT_DOOR_KEY --config ${dcrConfig}`,
        cwd: workers[0].dir,
        input: rotated,
      },
    ]);
    expect(logs).toContain("dcr: secret COGNITO_SECRET_ACCESS_KEY unchanged");
  });

  it("turns the user pool's deletion protection back on after an interrupted cleanup", async () => {
    // npm run cleanup set INACTIVE, then stopped before the stack was deleted.
    const fake = createFakeRunner({
      stack: {
        status: "UPDATE_COMPLETE",
        parameters: { DomainPrefix: "mcp-test", DeletionProtection: "INACTIVE" },
      },
    });
    await runDeploy(fake);
    expect(fake.stack()?.parameters).toEqual({
      DomainPrefix: "mcp-test",
      DeletionProtection: "ACTIVE",
    });
  });

  it("refuses a FRONT_DOOR_KEY too short to carry 32 random bytes, before any worker", async () => {
    const fake = createFakeRunner();
    fake.stackSecrets.set(OUTPUTS.FrontDoorKeySecretArn, "short-key-0123456789");
    await expect(runDeploy(fake)).rejects.toThrow(
      "the FrontDoorKeySecret secret is shorter than 43 characters; put a random value of at least 32 bytes (docs/deploy.md)",
    );
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler"))).toEqual([]);
  });

  it('refuses CIMD_ALLOW_LOCAL_URLS other than "false" in deploy.config.json before deploying anything', async () => {
    for (const value of ["true", "TRUE", "1", "", true]) {
      const fake = createFakeRunner();
      const attempt = runDeploy(
        fake,
        {},
        {
          ...config,
          workers: { dcr: { vars: { CIMD_ALLOW_LOCAL_URLS: value } } },
        },
      );
      await expect(attempt).rejects.toThrow(TypeError);
      await expect(attempt).rejects.toThrow(
        `deploy.config.json sets workers.dcr.vars.CIMD_ALLOW_LOCAL_URLS to ${JSON.stringify(value)}; production must have "false": remove it or set it to "false"`,
      );
      expect(fake.calls).toEqual([]);
    }
    // "false" is what production has anyway: accepted.
    const fake = createFakeRunner();
    const { files } = await runDeploy(
      fake,
      {},
      {
        ...config,
        workers: { dcr: { vars: { CIMD_ALLOW_LOCAL_URLS: "false" } } },
      },
    );
    expect(files.get(dcrConfig)?.vars.CIMD_ALLOW_LOCAL_URLS).toBe("false");
  });

  it("custom domains replace workers.dev, and deploy.config.json vars win", async () => {
    const fake = createFakeRunner();
    const files = new Map<string, GeneratedConfig>();
    await deploy({
      workers,
      wranglerBin: WRANGLER_BIN,
      config: {
        ...config,
        workersDevSubdomain: undefined,
        workers: {
          dcr: {
            customDomain: "auth.example.com",
            vars: { REDIRECT_URI_ALLOW_PATTERNS: "https://*.example.com/cb" },
          },
          "mcp-rs": { customDomain: "mcp.example.com" },
        },
      },
      run: fake.run,
      readState: fake.readState,
      writeState: fake.writeState,
      env: {},
      writeFile: (path: string, text: string) => files.set(path, JSON.parse(text)),
      log: () => {},
    });
    const dcr = files.get(dcrConfig) as GeneratedConfig;
    expect(dcr.workers_dev).toBe(false);
    expect(dcr.routes).toEqual([{ pattern: "auth.example.com", custom_domain: true }]);
    expect(dcr.vars.ISSUER).toBe("https://auth.example.com");
    expect(dcr.vars.REDIRECT_URI_ALLOW_PATTERNS).toBe("https://*.example.com/cb");
    const mcp = files.get(mcpConfig) as GeneratedConfig;
    expect(mcp.vars.RESOURCE_URL).toBe("https://mcp.example.com/mcp");
    expect(mcp.vars.AUTHORIZATION_SERVER).toBe("https://auth.example.com");
  });

  it("refuses to start without a public URL for every worker", async () => {
    const fake = createFakeRunner();
    await expect(
      deploy({
        workers,
        wranglerBin: WRANGLER_BIN,
        config: { stackName: "x" },
        run: fake.run,
        readState: fake.readState,
        writeState: fake.writeState,
        env: {},
        writeFile: () => {},
        log: () => {},
      }),
    ).rejects.toThrow(
      'worker dcr has no public URL: set "workersDevSubdomain" or "workers.dcr.customDomain" in deploy.config.json',
    );
    expect(fake.calls).toEqual([]);
  });
});

describe("npm run deploy: workers/client's CLIENT_STATE_KEY", () => {
  const withClient = ["client", "dcr", "mcp-rs"].map((name) => ({
    name,
    dir: join(root, "workers", name),
    configPath: join(root, "workers", name, "wrangler.toml"),
  }));
  const clientConfig = join(root, "workers", "client", "wrangler.deploy.json");

  async function deployAll(fake: ReturnType<typeof createFakeRunner>) {
    const files = new Map<string, GeneratedConfig>();
    const logs: string[] = [];
    await deploy({
      workers: withClient,
      wranglerBin: WRANGLER_BIN,
      config,
      run: fake.run,
      readState: fake.readState,
      writeState: fake.writeState,
      env: {},
      writeFile: (path: string, text: string) => files.set(path, JSON.parse(text)),
      log: (line: string) => logs.push(line),
    });
    return { files, logs };
  }

  const clientSecretPuts = (fake: ReturnType<typeof createFakeRunner>) =>
    fake.calls
      .filter((c) => c.cwd === withClient[0]?.dir && c.input !== undefined)
      .map((c) => ({ command: c.command, input: c.input }));

  it("is put as a secret, derived from the stack's ClientStateKeySecret, never a var, argv or log", async () => {
    const fake = createFakeRunner();
    const { files, logs } = await deployAll(fake);
    const key = deriveClientStateKey(CLIENT_STATE_KEY_MATERIAL);
    expect(clientSecretPuts(fake)).toEqual([
      {
        command: `wrangler secret put STATIC_CLIENT_SECRET --config ${clientConfig}`,
        input: STATIC_CLIENT_SECRET,
      },
      { command: `wrangler secret put CLIENT_STATE_KEY --config ${clientConfig}`, input: key },
    ]);
    const client = files.get(clientConfig) as GeneratedConfig;
    expect(client.vars).not.toHaveProperty("CLIENT_STATE_KEY");
    expect(client.vars).not.toHaveProperty("STATIC_CLIENT_SECRET");
    const visible = [
      ...fake.calls.map((c) => c.command),
      ...[...files.values()].map((f) => JSON.stringify(f)),
      ...logs,
      JSON.stringify(fake.deployState),
    ].join("\n");
    expect(visible).not.toContain(key);
    expect(visible).not.toContain(CLIENT_STATE_KEY_MATERIAL);
  });

  it("owes nothing to the static client's secret, which dcr's IAM user can read", async () => {
    const fake = createFakeRunner();
    await deployAll(fake);
    const put = clientSecretPuts(fake).find((c) => c.command.includes("CLIENT_STATE_KEY"));
    expect(put?.input).not.toBe(deriveClientStateKey(STATIC_CLIENT_SECRET));

    // A new static client secret is put; CLIENT_STATE_KEY stays as it was.
    fake.calls.length = 0;
    fake.stackSecrets.set(OUTPUTS.StaticClientSecretArn, "rotated-static-client-secret-0123456789");
    const { logs } = await deployAll(fake);
    expect(clientSecretPuts(fake)).toEqual([
      {
        command: `wrangler secret put STATIC_CLIENT_SECRET --config ${clientConfig}`,
        input: "rotated-static-client-secret-0123456789",
      },
    ]);
    expect(logs).toContain("client: secret CLIENT_STATE_KEY unchanged");

    // A new ClientStateKeySecret is the only thing that changes it.
    fake.calls.length = 0;
    const rotated = "RotatedClientStateKeyMaterial0123456789abcdefghijklmnopqrstuvwxyz";
    fake.stackSecrets.set(OUTPUTS.ClientStateKeySecretArn, rotated);
    await deployAll(fake);
    expect(clientSecretPuts(fake)).toEqual([
      {
        command: `wrangler secret put CLIENT_STATE_KEY --config ${clientConfig}`,
        input: deriveClientStateKey(rotated),
      },
    ]);
  });

  it("is the same on every deploy: a second run leaves it, a fresh machine puts the same value", async () => {
    const fake = createFakeRunner();
    await deployAll(fake);
    fake.calls.length = 0;
    const second = await deployAll(fake);
    expect(clientSecretPuts(fake)).toEqual([]);
    expect(second.logs).toContain("client: secret CLIENT_STATE_KEY unchanged");

    // No remembered state (another machine, or the worker lost its secrets): the same value.
    const fresh = createFakeRunner();
    await deployAll(fresh);
    expect(clientSecretPuts(fresh).find((c) => c.command.includes("CLIENT_STATE_KEY"))?.input).toBe(
      deriveClientStateKey(CLIENT_STATE_KEY_MATERIAL),
    );
  });

  it("refuses a ClientStateKeySecret too short to carry 32 random bytes, before any worker", async () => {
    const fake = createFakeRunner();
    fake.stackSecrets.set(OUTPUTS.ClientStateKeySecretArn, "short-key-0123456789");
    await expect(deployAll(fake)).rejects.toThrow(
      "the ClientStateKeySecret secret is shorter than 43 characters; put a random value of at least 32 bytes (docs/deploy.md)",
    );
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler"))).toEqual([]);
  });
});

describe("npm run deploy: the remembered secret fingerprints are keyed", () => {
  const key = Buffer.alloc(32, 7).toString("base64url");
  const unkeyed = (worker: string, name: string, value: string) =>
    createHash("sha256").update(`${worker}\0${name}\0${value}`).digest("hex");

  it("secretFingerprint is HMAC-SHA-256 under the state's key, never the plain SHA-256", () => {
    const fingerprint = secretFingerprint(key, "dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY);
    expect(fingerprint).toBe(
      createHmac("sha256", Buffer.alloc(32, 7))
        .update(`dcr\0FRONT_DOOR_KEY\0${FRONT_DOOR_KEY}`)
        .digest("hex"),
    );
    expect(fingerprint).not.toBe(unkeyed("dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY));
    const otherKey = Buffer.alloc(32, 8).toString("base64url");
    expect(secretFingerprint(otherKey, "dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY)).not.toBe(
      fingerprint,
    );
    for (const bad of [undefined, "", "short", `${key}x`])
      expect(() =>
        secretFingerprint(bad as string, "dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY),
      ).toThrow(TypeError);
  });

  it("the state gets a random key once: each state file its own, kept from run to run", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    const state = fake.deployState as { fingerprintKey: string; secrets: Record<string, string> };
    expect(state.fingerprintKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state.secrets["mcp-test/dcr/FRONT_DOOR_KEY"]).toBe(
      secretFingerprint(state.fingerprintKey, "dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY),
    );
    for (const fingerprint of Object.values(state.secrets))
      expect([
        unkeyed("dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY),
        unkeyed("dcr", "COGNITO_SECRET_ACCESS_KEY", DCR_SECRET_ACCESS_KEY),
      ]).not.toContain(fingerprint);

    await runDeploy(fake);
    expect((fake.deployState as typeof state).fingerprintKey).toBe(state.fingerprintKey);

    const other = createFakeRunner();
    await runDeploy(other);
    const otherState = other.deployState as typeof state;
    expect(otherState.fingerprintKey).not.toBe(state.fingerprintKey);
    expect(otherState.secrets["mcp-test/dcr/FRONT_DOOR_KEY"]).not.toBe(
      state.secrets["mcp-test/dcr/FRONT_DOOR_KEY"],
    );
  });

  it("a state file of the old scheme (plain SHA-256, no key) makes every secret be put again", async () => {
    // What the deploy wrote before fingerprints were keyed, with the worker holding the secrets.
    const oldState = {
      secrets: {
        "mcp-test/dcr/COGNITO_SECRET_ACCESS_KEY": unkeyed(
          "dcr",
          "COGNITO_SECRET_ACCESS_KEY",
          DCR_SECRET_ACCESS_KEY,
        ),
        "mcp-test/dcr/FRONT_DOOR_KEY": unkeyed("dcr", "FRONT_DOOR_KEY", FRONT_DOOR_KEY),
      },
    };
    const fake = createFakeRunner({ deployState: oldState });
    fake.secrets.set("dcr", new Set(["COGNITO_SECRET_ACCESS_KEY", "FRONT_DOOR_KEY"]));
    await runDeploy(fake);
    expect(fake.calls.filter((c) => c.input !== undefined).map((c) => c.input)).toEqual([
      DCR_SECRET_ACCESS_KEY,
      FRONT_DOOR_KEY,
    ]);
    const state = fake.deployState as { fingerprintKey: string; secrets: Record<string, string> };
    expect(state.secrets).toEqual({
      "mcp-test/dcr/COGNITO_SECRET_ACCESS_KEY": secretFingerprint(
        state.fingerprintKey,
        "dcr",
        "COGNITO_SECRET_ACCESS_KEY",
        DCR_SECRET_ACCESS_KEY,
      ),
      "mcp-test/dcr/FRONT_DOOR_KEY": secretFingerprint(
        state.fingerprintKey,
        "dcr",
        "FRONT_DOOR_KEY",
        FRONT_DOOR_KEY,
      ),
    });
    // From then on, the keyed fingerprints are recognised.
    fake.calls.length = 0;
    await runDeploy(fake);
    expect(fake.calls.filter((c) => c.input !== undefined)).toEqual([]);
  });

  it("a missing, unreadable or malformed state starts afresh with a new key", () => {
    for (const raw of [
      undefined,
      null,
      "text",
      [],
      { secrets: "x" },
      { fingerprintKey: "short" },
    ]) {
      const state = normalizeDeployState(raw);
      expect(state.fingerprintKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(state.secrets).toEqual({});
    }
    const kept = normalizeDeployState({ fingerprintKey: key, secrets: { a: "b" } });
    expect(kept).toEqual({ fingerprintKey: key, secrets: { a: "b" } });
  });
});

describe("the generated configuration is one wrangler accepts", () => {
  it("builds each worker with `wrangler deploy --dry-run --config wrangler.deploy.json`", async () => {
    const { createProcessRunner } = await import("../deploy/runner.mjs");
    const { resolveWranglerBin } = await import("../deploy/workers.mjs");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { files } = await runDeploy(createFakeRunner());
    const run = createProcessRunner();
    for (const worker of workers) {
      const path = join(worker.dir, "wrangler.deploy.json");
      const outdir = mkdtempSync(join(tmpdir(), "deploy-test-"));
      writeFileSync(path, JSON.stringify(files.get(path)));
      try {
        const { stdout } = await run(
          process.execPath,
          [resolveWranglerBin(), "deploy", "--dry-run", "--outdir", outdir, "--config", path],
          { cwd: worker.dir },
        );
        expect(stdout).toContain("--dry-run: exiting now.");
        expect(stdout).toContain(OUTPUTS.Issuer.slice(0, 30));
        expect(stdout).not.toContain("localhost");
      } finally {
        rmSync(path, { force: true });
        rmSync(outdir, { recursive: true, force: true });
      }
    }
  });
});
