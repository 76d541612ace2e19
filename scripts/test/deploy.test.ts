import { createHash, createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DCR_KEY_CHECK_DELAYS_SECONDS,
  DCR_OLD_KEY_GRACE_SECONDS,
  planDcrKeyRotation,
} from "../deploy/dcr-key.mjs";
import {
  deploy,
  normalizeDeployState,
  planSecretChanges,
  secretFingerprint,
} from "../deploy/deploy.mjs";
import { deriveClientStateKey } from "../deploy/plan.mjs";
import {
  type ApiRequest,
  type Call,
  CLIENT_STATE_KEY_MATERIAL,
  createdKey,
  createFakeRunner,
  DCR_SECRET_ACCESS_KEY,
  DCR_USER,
  FRONT_DOOR_KEY,
  OUTPUTS,
  SECRET_FILE,
  STATIC_CLIENT_SECRET,
  startFakeCloudflareApi,
  WRANGLER_BIN,
} from "./fake-runner.ts";
import { TEST_WORKERS, type Worker } from "./test-workers.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const template = join(root, "infra", "cognito.yaml");
const workers = TEST_WORKERS;
/** The secrets workers/dcr gets from the stack: its IAM secret key and its front-door key. */
const DCR_STACK_SECRETS = {
  COGNITO_SECRET_ACCESS_KEY: DCR_SECRET_ACCESS_KEY,
  FRONT_DOOR_KEY,
};
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
    sleep: async () => {},
  });
  return { files, logs };
}

/** The secrets each `wrangler deploy` uploaded with the code (`--secrets-file`), in order. */
function uploads(calls: Call[]) {
  return calls
    .filter((c) => c.command.startsWith("wrangler deploy") && c.secretFile)
    .map((c) => ({
      worker: c.cwd?.split("/").pop(),
      secrets: JSON.parse(c.secretFile?.text ?? "{}") as Record<string, string>,
    }));
}

/** Every secret value the fake's workers hold, by worker. */
function heldSecrets(fake: ReturnType<typeof createFakeRunner>) {
  return Object.fromEntries(
    [...fake.secrets].map(([worker, held]) => [worker, Object.fromEntries(held)]),
  );
}

/** The fields of a generated wrangler.deploy.json the tests look at. */
interface GeneratedConfig {
  name: string;
  main: string;
  workers_dev: boolean;
  keep_vars: boolean;
  routes?: unknown;
  kv_namespaces: unknown;
  durable_objects: unknown;
  vars: Record<string, string>;
}

const dcrConfig = join(root, "workers", "dcr", "wrangler.deploy.json");
const mcpConfig = join(root, "workers", "mcp-rs", "wrangler.deploy.json");

describe("npm run deploy: the calls made, in order", () => {
  it("deploys the stack, reads outputs and secrets, creates KV, deploys each worker with its secrets", async () => {
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
      // A worker not deployed yet has no secrets (wrangler: Worker "dcr" not found).
      { command: `wrangler secret list --config ${dcrConfig}`, cwd: workers[0].dir },
      {
        command: `wrangler deploy --config ${dcrConfig} --secrets-file ${SECRET_FILE}`,
        cwd: workers[0].dir,
        secretFile: {
          path: expect.stringMatching(/mcp-deploy-[^/]+\/secrets\.json$/),
          mode: 0o600,
          dirMode: 0o700,
          text: JSON.stringify(DCR_STACK_SECRETS),
        },
      },
      { command: `wrangler secret list --config ${mcpConfig}`, cwd: workers[1].dir },
      { command: `wrangler deploy --config ${mcpConfig}`, cwd: workers[1].dir },
    ]);
    expect(heldSecrets(fake)).toEqual({
      dcr: DCR_STACK_SECRETS,
    });
  });

  it("the secrets file is gone, with its folder, once wrangler is done, and when wrangler fails", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    const [uploaded] = fake.calls.filter((c) => c.secretFile);
    const path = uploaded?.secretFile?.path ?? "";
    expect(path).not.toBe("");
    expect(existsSync(path)).toBe(false);
    expect(existsSync(dirname(path))).toBe(false);

    const failing = createFakeRunner();
    failing.failNext("wrangler deploy", "✘ [ERROR] A request to the Cloudflare API failed.");
    await expect(runDeploy(failing)).rejects.toThrow("A request to the Cloudflare API failed.");
    const failed = failing.calls.find((c) => c.secretFile)?.secretFile?.path ?? "";
    expect(failed).not.toBe("");
    expect(existsSync(dirname(failed))).toBe(false);
    // Nothing is remembered of an upload that failed: the next run uploads the secrets again.
    expect(failing.deployState).toBeUndefined();
  });

  it("writes each worker's production configuration without touching wrangler.toml", async () => {
    const fake = createFakeRunner();
    const { files } = await runDeploy(fake);
    expect([...files.keys()]).toEqual([dcrConfig, mcpConfig]);
    const kvId = fake.namespaces[0]?.id;
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
      CHALLENGE_ALL_SCOPES: "false",
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
    expect(fake.calls.filter((c) => c.input !== undefined || c.env !== undefined)).toEqual([]);
    // Only in the temporary file of the upload.
    expect(uploads(fake.calls)).toEqual([
      {
        worker: "dcr",
        secrets: { ...DCR_STACK_SECRETS, DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" },
      },
    ]);
  });

  it("a second run reuses the namespace, redeploys the same configuration and uploads no secret", async () => {
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
      "wrangler secret list",
      "wrangler deploy",
      "wrangler secret list",
      "wrangler deploy",
    ]);
    // No secrets file, no secret deleted: the worker's secrets are left exactly as they were.
    expect(fake.calls.filter((c) => c.secretFile || c.command.includes("secret delete"))).toEqual(
      [],
    );
    expect(second.files).toEqual(first.files);
    expect(second.logs).toContain("dcr: secret COGNITO_SECRET_ACCESS_KEY unchanged");
    expect(second.logs).toContain("dcr: secret FRONT_DOOR_KEY unchanged");
    // Only fingerprints are remembered, never the value.
    expect(JSON.stringify(fake.deployState)).not.toContain(DCR_SECRET_ACCESS_KEY);
    expect(JSON.stringify(fake.deployState)).not.toContain(FRONT_DOOR_KEY);
  });

  it("uploads a secret again, with the code, when its value changed or the worker lost it", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.calls.length = 0;
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" });
    expect(uploads(fake.calls)).toEqual([
      { worker: "dcr", secrets: { DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" } },
    ]);
    fake.calls.length = 0;
    fake.secrets.clear(); // e.g. the secrets were deleted in the dashboard
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" });
    expect(uploads(fake.calls)).toEqual([
      {
        worker: "dcr",
        secrets: { ...DCR_STACK_SECRETS, DCR_INITIAL_ACCESS_TOKEN: "new-initial-token-0123456789" },
      },
    ]);
  });

  it("rotating FRONT_DOOR_KEY: a new value in Secrets Manager is uploaded on the next run, alone", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.calls.length = 0;
    // aws secretsmanager put-secret-value --secret-id <FrontDoorKeySecretArn> --secret-string …
    const rotated = "RotatedFrontDoorKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI";
    fake.stackSecrets.set(OUTPUTS.FrontDoorKeySecretArn, rotated);
    const { logs } = await runDeploy(fake);
    expect(uploads(fake.calls)).toEqual([{ worker: "dcr", secrets: { FRONT_DOOR_KEY: rotated } }]);
    expect(logs).toContain("dcr: secret COGNITO_SECRET_ACCESS_KEY unchanged");
    expect(heldSecrets(fake).dcr).toEqual({ ...DCR_STACK_SECRETS, FRONT_DOOR_KEY: rotated });
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

describe("npm run deploy: a worker's secrets and vars are exactly the plan's", () => {
  const deleteToken = {
    command: `wrangler secret delete DCR_INITIAL_ACCESS_TOKEN --config ${dcrConfig}`,
    cwd: workers[0].dir,
  };
  const tokenKey = "mcp-test/dcr/DCR_INITIAL_ACCESS_TOKEN";

  it("DCR_INITIAL_ACCESS_TOKEN unset after a deploy with it: deleted from dcr, after the upload, and forgotten", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" });
    expect(heldSecrets(fake).dcr).toHaveProperty("DCR_INITIAL_ACCESS_TOKEN");
    expect(Object.keys((fake.deployState as { secrets: object }).secrets)).toContain(tokenKey);

    fake.calls.length = 0;
    const { logs } = await runDeploy(fake);
    const dcrCalls = fake.calls.filter((c) => c.cwd === workers[0].dir);
    expect(dcrCalls).toEqual([
      { command: `wrangler secret list --config ${dcrConfig}`, cwd: workers[0].dir },
      { command: `wrangler deploy --config ${dcrConfig}`, cwd: workers[0].dir },
      deleteToken,
    ]);
    expect(logs).toContain(
      "dcr: deleting the secret DCR_INITIAL_ACCESS_TOKEN, which the deploy no longer sets",
    );
    expect(heldSecrets(fake).dcr).toEqual(DCR_STACK_SECRETS);
    const state = fake.deployState as { fingerprintKey: string; secrets: Record<string, string> };
    expect(Object.keys(state.secrets).sort()).toEqual([
      "mcp-test/dcr/COGNITO_SECRET_ACCESS_KEY",
      "mcp-test/dcr/FRONT_DOOR_KEY",
    ]);

    // Gone for good: the next run deletes nothing.
    fake.calls.length = 0;
    await runDeploy(fake);
    expect(fake.calls.filter((c) => c.command.includes("secret delete"))).toEqual([]);

    // Set again: uploaded again (nothing remembered says the worker has it).
    fake.calls.length = 0;
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" });
    expect(uploads(fake.calls)).toEqual([
      { worker: "dcr", secrets: { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" } },
    ]);
  });

  it("a secret the plan never set (put by hand) is deleted too, from whichever worker has it", async () => {
    const fake = createFakeRunner({ workers: ["mcp-rs"] });
    fake.secrets.set("mcp-rs", new Map([["OLD_API_TOKEN", "put-by-hand"]]));
    await runDeploy(fake);
    expect(fake.calls.filter((c) => c.cwd === workers[1].dir)).toEqual([
      { command: `wrangler secret list --config ${mcpConfig}`, cwd: workers[1].dir },
      { command: `wrangler deploy --config ${mcpConfig}`, cwd: workers[1].dir },
      {
        command: `wrangler secret delete OLD_API_TOKEN --config ${mcpConfig}`,
        cwd: workers[1].dir,
      },
    ]);
    expect(heldSecrets(fake)["mcp-rs"]).toEqual({});
  });

  it("a remembered fingerprint of a secret the worker no longer has, nor the plan sets, is forgotten", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake, { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" });
    fake.secrets.get("dcr")?.delete("DCR_INITIAL_ACCESS_TOKEN"); // deleted in the dashboard
    fake.calls.length = 0;
    await runDeploy(fake);
    expect(fake.calls.filter((c) => c.command.includes("secret delete"))).toEqual([]);
    expect((fake.deployState as { secrets: object }).secrets).not.toHaveProperty(tokenKey);
  });

  it("a var removed from deploy.config.json leaves the generated configuration; wrangler keeps no other", async () => {
    const fake = createFakeRunner();
    const withVars = {
      ...config,
      workers: {
        dcr: { vars: { REDIRECT_URI_ALLOW_PATTERNS: "https://*.example.com/cb", EXTRA: "x" } },
      },
    };
    const first = await runDeploy(fake, {}, withVars);
    expect(first.files.get(dcrConfig)?.vars).toMatchObject({
      REDIRECT_URI_ALLOW_PATTERNS: "https://*.example.com/cb",
      EXTRA: "x",
    });
    const second = await runDeploy(fake);
    const vars = second.files.get(dcrConfig)?.vars ?? {};
    expect(vars).not.toHaveProperty("EXTRA");
    expect(vars.REDIRECT_URI_ALLOW_PATTERNS).toBe(""); // the committed value
    // wrangler replaces a worker's vars with the configuration's unless told to keep them.
    for (const file of second.files.values()) expect(file.keep_vars).toBe(false);
    for (const call of fake.calls.filter((c) => c.command.startsWith("wrangler deploy")))
      expect(call.command).not.toContain("--keep-vars");
  });

  it("a failing `wrangler secret list` (other than a worker not deployed yet) stops the deploy", async () => {
    const fake = createFakeRunner({ workers: ["dcr"] });
    fake.failNext("wrangler secret list", "✘ [ERROR] Authentication error [code: 10000]");
    await expect(runDeploy(fake)).rejects.toThrow("Authentication error [code: 10000]");
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler deploy"))).toEqual([]);
  });
});

describe("npm run deploy: code and secrets go live together", () => {
  it("a first deploy uploads every secret with the code: one `wrangler deploy` per worker, nothing after", async () => {
    const withClient = ["client", "dcr", "mcp-rs"].map((name) => ({
      name,
      dir: join(root, "workers", name),
      configPath: join(root, "workers", name, "wrangler.toml"),
    }));
    const fake = createFakeRunner();
    await deploy({
      workers: withClient,
      wranglerBin: WRANGLER_BIN,
      config,
      run: fake.run,
      readState: fake.readState,
      writeState: fake.writeState,
      env: { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" },
      writeFile: () => {},
      log: () => {},
    });
    const byWorker = (name: string) =>
      fake.calls
        .filter((c) => c.cwd === join(root, "workers", name))
        .map((c) => c.command.split(" --config")[0]);
    // Each worker: its (empty) secrets listed, then one upload; no `secret put` to follow.
    for (const name of ["client", "dcr", "mcp-rs"])
      expect(byWorker(name)).toEqual(["wrangler secret list", "wrangler deploy"]);
    expect(uploads(fake.calls)).toEqual([
      {
        worker: "client",
        secrets: {
          STATIC_CLIENT_SECRET,
          CLIENT_STATE_KEY: deriveClientStateKey(CLIENT_STATE_KEY_MATERIAL),
        },
      },
      {
        worker: "dcr",
        secrets: { ...DCR_STACK_SECRETS, DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" },
      },
    ]);
  });

  it("a worker that lost one secret gets that one with its next upload, the others are kept", async () => {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.secrets.get("dcr")?.delete("FRONT_DOOR_KEY");
    fake.calls.length = 0;
    await runDeploy(fake);
    expect(uploads(fake.calls)).toEqual([{ worker: "dcr", secrets: { FRONT_DOOR_KEY } }]);
    expect(heldSecrets(fake).dcr).toEqual(DCR_STACK_SECRETS);
  });
});

describe("planSecretChanges: which secrets go up with the code, stay, or leave", () => {
  const state = { fingerprintKey: Buffer.alloc(32, 1).toString("base64url"), secrets: {} };
  const fp = (name: string, value: string) =>
    secretFingerprint(state.fingerprintKey, "dcr", name, value);

  it("uploads the missing and the changed, leaves the unchanged, removes and forgets the unplanned", () => {
    const remembered = {
      ...state,
      secrets: {
        "s/dcr/SAME": fp("SAME", "v"),
        "s/dcr/CHANGED": fp("CHANGED", "old"),
        "s/dcr/GONE": fp("GONE", "v"),
        "s/mcp-rs/GONE": "another worker's",
        "t/dcr/GONE": "another stack's",
      },
    };
    expect(
      planSecretChanges({
        stackName: "s",
        worker: "dcr",
        secrets: { SAME: "v", CHANGED: "new", MISSING: "m" },
        present: ["SAME", "CHANGED", "GONE", "BY_HAND"],
        state: remembered,
      }),
    ).toEqual({
      upload: { CHANGED: "new", MISSING: "m" },
      fingerprints: { "s/dcr/CHANGED": fp("CHANGED", "new"), "s/dcr/MISSING": fp("MISSING", "m") },
      unchanged: ["SAME"],
      remove: ["GONE", "BY_HAND"],
      forget: ["s/dcr/GONE"],
    });
  });

  it("a worker that has a secret with no remembered fingerprint gets it uploaded", () => {
    const changes = planSecretChanges({
      stackName: "s",
      worker: "dcr",
      secrets: { A: "a" },
      present: ["A"],
      state,
    });
    expect(changes.upload).toEqual({ A: "a" });
  });
});

describe("npm run deploy -- --rotate-dcr-key: a new IAM key for dcr, both halves together", () => {
  const aws = "--region eu-west-1";
  const newKey = createdKey(1);
  const oldPair = { accessKeyId: OUTPUTS.DcrAccessKeyId, secretAccessKey: DCR_SECRET_ACCESS_KEY };
  const cognitoCheck = {
    command: `aws cognito-idp list-user-pool-clients --user-pool-id ${OUTPUTS.UserPoolId} --max-results 1 --output json ${aws}`,
    env: {
      AWS_ACCESS_KEY_ID: newKey.accessKeyId,
      AWS_SECRET_ACCESS_KEY: newKey.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_SECURITY_TOKEN: undefined,
    },
  };

  async function rotate(
    fake: ReturnType<typeof createFakeRunner>,
    options: { workers?: Worker[] } = {},
  ) {
    const files = new Map<string, GeneratedConfig>();
    const logs: string[] = [];
    const sleeps: number[] = [];
    const result = deploy({
      workers: options.workers ?? workers,
      wranglerBin: WRANGLER_BIN,
      config,
      run: fake.run,
      readState: fake.readState,
      writeState: fake.writeState,
      env: {},
      writeFile: (path: string, text: string) => files.set(path, JSON.parse(text)),
      log: (line: string) => logs.push(line),
      rotateDcrKey: true,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    });
    return { result, files, logs, sleeps };
  }

  /** A stack and workers as an earlier `npm run deploy` left them. */
  async function deployed() {
    const fake = createFakeRunner();
    await runDeploy(fake);
    fake.calls.length = 0;
    return fake;
  }

  it("creates, stores, checks, deploys with it, then deletes the old key: the calls in order", async () => {
    const fake = await deployed();
    const { result, files, sleeps } = await rotate(fake);
    await result;
    expect(fake.calls.slice(0, 8)).toEqual([
      expect.objectContaining({ command: expect.stringMatching(/^aws cloudformation deploy /) }),
      { command: `aws cloudformation describe-stacks --stack-name mcp-test --output json ${aws}` },
      {
        command: `aws cloudformation describe-stack-resources --stack-name mcp-test --output json ${aws}`,
      },
      {
        command: `aws secretsmanager get-secret-value --secret-id ${OUTPUTS.DcrCredentialsArn} --query SecretString --output text ${aws}`,
      },
      { command: `aws iam list-access-keys --user-name ${DCR_USER} --output json ${aws}` },
      { command: `aws iam create-access-key --user-name ${DCR_USER} --output json ${aws}` },
      {
        command: `aws secretsmanager put-secret-value --secret-id ${OUTPUTS.DcrCredentialsArn} --secret-string file://${SECRET_FILE} --output json ${aws}`,
        secretFile: {
          path: expect.stringMatching(/mcp-deploy-[^/]+\/secret$/),
          mode: 0o600,
          dirMode: 0o700,
          text: JSON.stringify(newKey),
        },
      },
      cognitoCheck,
    ]);
    // Then the usual deploy, which reads both halves from DcrCredentials …
    expect(fake.calls.slice(8).map((c) => c.command.split(" --")[0])).toEqual([
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "aws secretsmanager get-secret-value",
      "wrangler kv namespace list",
      "wrangler secret list",
      "wrangler deploy",
      "wrangler secret list",
      "wrangler deploy",
      "aws iam delete-access-key",
    ]);
    // … uploads the new secret with the new id in the same version of dcr …
    expect(uploads(fake.calls)).toEqual([
      { worker: "dcr", secrets: { COGNITO_SECRET_ACCESS_KEY: newKey.secretAccessKey } },
    ]);
    expect(files.get(dcrConfig)?.vars.COGNITO_ACCESS_KEY_ID).toBe(newKey.accessKeyId);
    // … and only then deletes the old key, after a grace period for requests still running.
    expect(fake.calls.at(-1)).toEqual({
      command: `aws iam delete-access-key --user-name ${DCR_USER} --access-key-id ${OUTPUTS.DcrAccessKeyId} ${aws}`,
    });
    expect(sleeps).toEqual([DCR_OLD_KEY_GRACE_SECONDS * 1000]);
    expect([...fake.accessKeys.keys()]).toEqual([newKey.accessKeyId]);
    expect(JSON.parse(fake.stackSecrets.get(OUTPUTS.DcrCredentialsArn) ?? "")).toEqual(newKey);
    expect(heldSecrets(fake).dcr?.COGNITO_SECRET_ACCESS_KEY).toBe(newKey.secretAccessKey);
  });

  it("the new secret is never in argv or the log, and its file is deleted", async () => {
    const fake = await deployed();
    const { result, files, logs } = await rotate(fake);
    await result;
    const visible = [
      ...fake.calls.map((c) => c.command),
      ...[...files.values()].map((f) => JSON.stringify(f)),
      ...logs,
      JSON.stringify(fake.deployState),
    ].join("\n");
    expect(visible).not.toContain(newKey.secretAccessKey);
    // Only the check's own environment carries it, besides the two temporary files.
    expect(fake.calls.filter((c) => c.env)).toEqual([cognitoCheck]);
    for (const call of fake.calls.filter((c) => c.secretFile))
      expect(existsSync(dirname(call.secretFile?.path ?? ""))).toBe(false);
  });

  it("waits for IAM: a new key refused twice is tried again after 2 s and 4 s", async () => {
    const fake = await deployed();
    fake.iam.propagationRefusals = 2;
    const { result, logs, sleeps } = await rotate(fake);
    await result;
    expect(fake.calls.filter((c) => c.command.startsWith("aws cognito-idp"))).toHaveLength(3);
    expect(sleeps).toEqual([2000, 4000, DCR_OLD_KEY_GRACE_SECONDS * 1000]);
    expect(logs).toContain(
      `dcr key: Cognito refused ${newKey.accessKeyId} (An error occurred (UnrecognizedClientException) when calling the ListUserPoolClients operation: The security token included in the request is invalid.); again in 2 s`,
    );
    expect([...fake.accessKeys.keys()]).toEqual([newKey.accessKeyId]);
  });

  it("a key Cognito keeps refusing is undone: old pair back, new key deleted, nothing deployed", async () => {
    const fake = await deployed();
    fake.iam.propagationRefusals = 99;
    const { result, sleeps } = await rotate(fake);
    await expect(result).rejects.toThrow(
      `Cognito refused the new access key ${newKey.accessKeyId} 5 times (An error occurred (UnrecognizedClientException) when calling the ListUserPoolClients operation: The security token included in the request is invalid.); DcrCredentials holds ${OUTPUTS.DcrAccessKeyId} again, ${newKey.accessKeyId} was deleted. The old key ${OUTPUTS.DcrAccessKeyId} was left as it was and the workers were not deployed`,
    );
    // A bounded wait: the delays between the five tries, 30 s in all.
    expect(sleeps).toEqual(DCR_KEY_CHECK_DELAYS_SECONDS.map((s) => s * 1000));
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect([...fake.accessKeys.keys()]).toEqual([OUTPUTS.DcrAccessKeyId]);
    expect(JSON.parse(fake.stackSecrets.get(OUTPUTS.DcrCredentialsArn) ?? "")).toEqual(oldPair);
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler"))).toEqual([]);
    const puts = fake.calls.filter((c) => c.command.includes("put-secret-value"));
    expect(puts.map((c) => JSON.parse(c.secretFile?.text ?? ""))).toEqual([newKey, oldPair]);
  });

  it("if the old pair cannot be put back, the new key is kept: the secret never names a deleted key", async () => {
    const fake = await deployed();
    fake.iam.propagationRefusals = 99;
    fake.failNext(
      "aws secretsmanager put-secret-value",
      "An error occurred (ThrottlingException) when calling the PutSecretValue operation: Rate exceeded",
      1,
    );
    const { result } = await rotate(fake);
    await expect(result).rejects.toThrow(
      `so both keys were kept and DcrCredentials holds ${newKey.accessKeyId}. The old key ${OUTPUTS.DcrAccessKeyId} was left as it was and the workers were not deployed`,
    );
    expect([...fake.accessKeys.keys()]).toEqual([OUTPUTS.DcrAccessKeyId, newKey.accessKeyId]);
    expect(JSON.parse(fake.stackSecrets.get(OUTPUTS.DcrCredentialsArn) ?? "")).toEqual(newKey);
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler"))).toEqual([]);
  });

  it("refuses when dcr's user already has two keys, naming them, before creating one", async () => {
    const fake = await deployed();
    fake.accessKeys.set("AKIASTRAYKEY00000001", { secret: "stray", refusals: 0 });
    const { result } = await rotate(fake);
    await expect(result).rejects.toThrow(
      `dcr's IAM user ${DCR_USER} already has 2 access keys (${OUTPUTS.DcrAccessKeyId}, AKIASTRAYKEY00000001), IAM's limit; DcrCredentials holds ${OUTPUTS.DcrAccessKeyId}. Delete the other one once nothing uses it (aws iam delete-access-key --user-name ${DCR_USER} --access-key-id AKIASTRAYKEY00000001) and run again`,
    );
    expect(
      fake.calls.filter((c) => /create-access-key|put-secret|^wrangler/.test(c.command)),
    ).toEqual([]);
  });

  it("refuses to rotate when the run does not deploy dcr (--only mcp-rs), before any command", async () => {
    const fake = await deployed();
    const { result } = await rotate(fake, { workers: [workers[1]] });
    await expect(result).rejects.toThrow(
      "--rotate-dcr-key deploys workers/dcr with the new key before deleting the old one: leave out --only, or add --only dcr",
    );
    expect(fake.calls).toEqual([]);
  });

  it("a worker deploy that fails after the new key was stored keeps the old key, and says so", async () => {
    const fake = await deployed();
    fake.failNext("wrangler deploy", "✘ [ERROR] A request to the Cloudflare API failed.");
    const { result } = await rotate(fake);
    await expect(result).rejects.toThrow(
      `dcr key: DcrCredentials holds the new key ${newKey.accessKeyId}; the old key ${OUTPUTS.DcrAccessKeyId} was not deleted, as the workers may still use it: run npm run deploy until it succeeds, then delete it with aws iam delete-access-key --user-name ${DCR_USER} --access-key-id ${OUTPUTS.DcrAccessKeyId}`,
    );
    expect([...fake.accessKeys.keys()]).toEqual([OUTPUTS.DcrAccessKeyId, newKey.accessKeyId]);
    expect(fake.calls.filter((c) => c.command.includes("delete-access-key"))).toEqual([]);
    // The plain deploy then carries the new pair to dcr.
    fake.calls.length = 0;
    const { files } = await runDeploy(fake);
    expect(files.get(dcrConfig)?.vars.COGNITO_ACCESS_KEY_ID).toBe(newKey.accessKeyId);
    expect(heldSecrets(fake).dcr?.COGNITO_SECRET_ACCESS_KEY).toBe(newKey.secretAccessKey);
  });

  it("an old key already gone (deleted by hand) is not deleted again", async () => {
    const fake = await deployed();
    fake.accessKeys.delete(OUTPUTS.DcrAccessKeyId);
    const { result, logs, sleeps } = await rotate(fake);
    await result;
    expect(fake.calls.filter((c) => c.command.includes("delete-access-key"))).toEqual([]);
    expect(logs).toContain(`dcr key: ${newKey.accessKeyId} in use; the old key was already gone`);
    expect(sleeps).toEqual([]);
  });

  it("without --rotate-dcr-key, the key id comes from DcrCredentials too, never the stack output", async () => {
    const fake = createFakeRunner();
    // As after a rotation: the output still names the template's first key.
    fake.stackSecrets.set(OUTPUTS.DcrCredentialsArn, JSON.stringify(newKey));
    const { files } = await runDeploy(fake);
    expect(files.get(dcrConfig)?.vars.COGNITO_ACCESS_KEY_ID).toBe(newKey.accessKeyId);
    expect(uploads(fake.calls)[0]?.secrets.COGNITO_SECRET_ACCESS_KEY).toBe(newKey.secretAccessKey);
    expect(fake.calls.filter((c) => /iam|cognito-idp/.test(c.command))).toEqual([]);
  });

  it("refuses COGNITO_ACCESS_KEY_ID or a secret in deploy.config.json vars, before any command", async () => {
    for (const [name, message] of [
      [
        "COGNITO_ACCESS_KEY_ID",
        "deploy.config.json sets workers.dcr.vars.COGNITO_ACCESS_KEY_ID; the deploy takes it from the stack's DcrCredentials secret with the secret access key, so the two always match: remove it",
      ],
      [
        "COGNITO_SECRET_ACCESS_KEY",
        "deploy.config.json sets workers.dcr.vars.COGNITO_SECRET_ACCESS_KEY, which is a secret: as a var it would be plain text; remove it (docs/deploy.md says where each secret comes from)",
      ],
    ] as const) {
      const fake = createFakeRunner();
      const attempt = runDeploy(
        fake,
        {},
        { ...config, workers: { dcr: { vars: { [name]: "x" } } } },
      );
      await expect(attempt).rejects.toThrow(new TypeError(message));
      expect(fake.calls).toEqual([]);
    }
  });

  it("a DcrCredentials secret without both halves stops the deploy before any worker", async () => {
    const fake = createFakeRunner();
    fake.stackSecrets.set(
      OUTPUTS.DcrCredentialsArn,
      JSON.stringify({ secretAccessKey: DCR_SECRET_ACCESS_KEY }),
    );
    await expect(runDeploy(fake)).rejects.toThrow('the DcrCredentials secret has no "accessKeyId"');
    expect(fake.calls.filter((c) => c.command.startsWith("wrangler"))).toEqual([]);
  });
});

describe("planDcrKeyRotation: whether a rotation can start, and which key it retires", () => {
  it("retires the key in DcrCredentials; none if the user no longer has it", () => {
    const keys = [{ accessKeyId: "AKIAOLD" }];
    expect(planDcrKeyRotation({ userName: "u", keys, currentKeyId: "AKIAOLD" })).toEqual({
      retire: "AKIAOLD",
    });
    expect(planDcrKeyRotation({ userName: "u", keys, currentKeyId: "AKIAGONE" })).toEqual({
      retire: undefined,
    });
    expect(planDcrKeyRotation({ userName: "u", keys: [], currentKeyId: "AKIAGONE" })).toEqual({
      retire: undefined,
    });
  });

  it("refuses at IAM's limit of two keys, whichever of them DcrCredentials holds", () => {
    const keys = [{ accessKeyId: "AKIAA" }, { accessKeyId: "AKIAB" }];
    expect(() => planDcrKeyRotation({ userName: "u", keys, currentKeyId: "AKIAB" })).toThrow(
      "--access-key-id AKIAA)",
    );
    expect(() => planDcrKeyRotation({ userName: "u", keys, currentKeyId: "AKIAA" })).toThrow(
      "--access-key-id AKIAB)",
    );
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

  /** What each deploy of workers/client uploaded with it. */
  const clientUploads = (fake: ReturnType<typeof createFakeRunner>) =>
    uploads(fake.calls)
      .filter((u) => u.worker === "client")
      .map((u) => u.secrets);

  it("is uploaded as a secret, derived from the stack's ClientStateKeySecret, never a var, argv or log", async () => {
    const fake = createFakeRunner();
    const { files, logs } = await deployAll(fake);
    const key = deriveClientStateKey(CLIENT_STATE_KEY_MATERIAL);
    expect(clientUploads(fake)).toEqual([{ STATIC_CLIENT_SECRET, CLIENT_STATE_KEY: key }]);
    expect(fake.calls.filter((c) => c.secretFile).map((c) => c.command)).toContain(
      `wrangler deploy --config ${clientConfig} --secrets-file ${SECRET_FILE}`,
    );
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
    expect(clientUploads(fake)[0]?.CLIENT_STATE_KEY).not.toBe(
      deriveClientStateKey(STATIC_CLIENT_SECRET),
    );

    // A new static client secret is uploaded; CLIENT_STATE_KEY stays as it was.
    fake.calls.length = 0;
    fake.stackSecrets.set(OUTPUTS.StaticClientSecretArn, "rotated-static-client-secret-0123456789");
    const { logs } = await deployAll(fake);
    expect(clientUploads(fake)).toEqual([
      { STATIC_CLIENT_SECRET: "rotated-static-client-secret-0123456789" },
    ]);
    expect(logs).toContain("client: secret CLIENT_STATE_KEY unchanged");

    // A new ClientStateKeySecret is the only thing that changes it.
    fake.calls.length = 0;
    const rotated = "RotatedClientStateKeyMaterial0123456789abcdefghijklmnopqrstuvwxyz";
    fake.stackSecrets.set(OUTPUTS.ClientStateKeySecretArn, rotated);
    await deployAll(fake);
    expect(clientUploads(fake)).toEqual([{ CLIENT_STATE_KEY: deriveClientStateKey(rotated) }]);
  });

  it("is the same on every deploy: a second run leaves it, a fresh machine uploads the same value", async () => {
    const fake = createFakeRunner();
    await deployAll(fake);
    fake.calls.length = 0;
    const second = await deployAll(fake);
    expect(clientUploads(fake)).toEqual([]);
    expect(second.logs).toContain("client: secret CLIENT_STATE_KEY unchanged");

    // No remembered state (another machine, or the worker lost its secrets): the same value.
    const fresh = createFakeRunner();
    await deployAll(fresh);
    expect(clientUploads(fresh)[0]?.CLIENT_STATE_KEY).toBe(
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

  it("a state file of the old scheme (plain SHA-256, no key) makes every secret be uploaded again", async () => {
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
    const fake = createFakeRunner({ deployState: oldState, workers: ["dcr"] });
    fake.secrets.set(
      "dcr",
      new Map([
        ["COGNITO_SECRET_ACCESS_KEY", DCR_SECRET_ACCESS_KEY],
        ["FRONT_DOOR_KEY", FRONT_DOOR_KEY],
      ]),
    );
    await runDeploy(fake);
    expect(uploads(fake.calls)).toEqual([
      {
        worker: "dcr",
        secrets: DCR_STACK_SECRETS,
      },
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
    expect(uploads(fake.calls)).toEqual([]);
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

describe("the generated configuration and secrets file are ones wrangler 4.86 accepts", () => {
  it("`wrangler deploy --config wrangler.deploy.json --secrets-file …`, as the deploy runs it, with --dry-run", async () => {
    const { createProcessRunner } = await import("../deploy/runner.mjs");
    const { resolveWranglerBin } = await import("../lib/wrangler.mjs");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const real = createProcessRunner();
    const wranglerBin = resolveWranglerBin();
    const fake = createFakeRunner();
    const outdir = mkdtempSync(join(tmpdir(), "deploy-test-"));
    /** What the real wrangler printed for each worker's deploy. */
    const printed = new Map<string, string>();
    // Everything else answers from the fake; each `wrangler deploy` is the real one, exactly as
    // the deploy calls it (its secrets file still there), made a dry run.
    const run: typeof fake.run = async (command, args, options) => {
      const simulated = await fake.run(command, args, options);
      if (command !== process.execPath || args[0] !== WRANGLER_BIN || args[1] !== "deploy")
        return simulated;
      const worker = options?.cwd?.split("/").pop() ?? "";
      const result = await real(
        command,
        [wranglerBin, ...args.slice(1), "--dry-run", "--outdir", join(outdir, worker)],
        options,
      );
      printed.set(worker, result.stdout + result.stderr);
      return result;
    };
    try {
      await deploy({
        workers,
        wranglerBin: WRANGLER_BIN,
        config,
        run,
        readState: fake.readState,
        writeState: fake.writeState,
        env: { DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" },
        writeFile: (path: string, text: string) => writeFileSync(path, text),
        log: () => {},
      });
    } finally {
      for (const worker of workers)
        rmSync(join(worker.dir, "wrangler.deploy.json"), { force: true });
      rmSync(outdir, { recursive: true, force: true });
    }
    for (const worker of workers) {
      const stdout = printed.get(worker.name) ?? "";
      expect(stdout).toContain("--dry-run: exiting now.");
      expect(stdout).toContain(OUTPUTS.Issuer.slice(0, 30));
      expect(stdout).not.toContain("localhost");
    }
    // The secrets go up as bindings of the same upload, their values never printed.
    const dcr = printed.get("dcr") ?? "";
    for (const name of ["COGNITO_SECRET_ACCESS_KEY", "DCR_INITIAL_ACCESS_TOKEN", "FRONT_DOOR_KEY"])
      expect(dcr).toMatch(new RegExp(`env\\.${name} \\("\\(hidden\\)"\\)`));
    for (const value of [DCR_SECRET_ACCESS_KEY, FRONT_DOOR_KEY, "initial-token-0123456789"])
      expect(dcr).not.toContain(value);
    expect(printed.get("mcp-rs")).not.toContain("(hidden)");
  });
});

describe("real wrangler 4.86 against a stand-in of the Cloudflare API", () => {
  it("a first deploy sends each worker's code and secrets in one upload; unsetting a secret deletes it after the next", async () => {
    const { createProcessRunner } = await import("../deploy/runner.mjs");
    const { resolveWranglerBin } = await import("../lib/wrangler.mjs");
    const { rmSync, writeFileSync } = await import("node:fs");
    const api = await startFakeCloudflareApi();
    const real = createProcessRunner();
    const wranglerBin = resolveWranglerBin();
    const fake = createFakeRunner();
    const cloudflare = {
      CLOUDFLARE_API_BASE_URL: api.baseUrl,
      CLOUDFLARE_API_TOKEN: "test-api-token",
      CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
    };
    // The AWS CLI and KV from the fake; every `wrangler deploy` and `wrangler secret …` is the
    // real wrangler, talking to the stand-in.
    const run: typeof fake.run = (command, args, options) =>
      command === process.execPath && ["deploy", "secret"].includes(args[1] ?? "")
        ? real(command, [wranglerBin, ...args.slice(1)], {
            ...options,
            env: { ...options?.env, ...cloudflare },
          })
        : fake.run(command, args, options);
    const deployWith = (env: Record<string, string>) =>
      deploy({
        workers,
        wranglerBin: WRANGLER_BIN,
        config,
        run,
        readState: fake.readState,
        writeState: fake.writeState,
        env,
        writeFile: (path: string, text: string) => writeFileSync(path, text),
        log: () => {},
      });
    const uploadsOf = (worker: string) =>
      api.requests.filter((r) => r.metadata && r.path.startsWith(`/workers/scripts/${worker}`));
    const secretBindings = (r: ApiRequest) =>
      Object.fromEntries(
        (r.metadata?.bindings ?? [])
          .filter((b) => b.type === "secret_text")
          .map((b) => [b.name, b.text]),
      );
    try {
      await deployWith({ DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789" });
      const [first, ...more] = uploadsOf("dcr");
      expect(more).toEqual([]);
      // The code and every secret in the one request that creates the worker.
      expect(first?.modules?.length).toBeGreaterThan(0);
      expect(secretBindings(first as ApiRequest)).toEqual({
        ...DCR_STACK_SECRETS,
        DCR_INITIAL_ACCESS_TOKEN: "initial-token-0123456789",
      });
      // Secrets not in the file are kept (wrangler 4.86 sets this with --secrets-file); vars are
      // not: the worker's are exactly the configuration's.
      expect(first?.metadata?.keep_bindings).toContain("secret_text");
      expect(first?.metadata?.keep_bindings).not.toContain("plain_text");
      expect(api.requests.filter((r) => r.path.includes("/secrets") && r.method !== "GET")).toEqual(
        [],
      );
      expect(uploadsOf("mcp-rs").map(secretBindings)).toEqual([{}]);

      api.requests.length = 0;
      await deployWith({});
      const dcr = api.requests.filter((r) => r.path.startsWith("/workers/scripts/dcr"));
      const upload = dcr.findIndex((r) => r.metadata);
      const deletion = dcr.findIndex(
        (r) =>
          r.method === "DELETE" &&
          r.path === "/workers/scripts/dcr/secrets/DCR_INITIAL_ACCESS_TOKEN",
      );
      expect(upload).toBeGreaterThanOrEqual(0);
      expect(secretBindings(dcr[upload] as ApiRequest)).toEqual({});
      expect(dcr[upload]?.metadata?.keep_bindings ?? []).not.toContain("plain_text");
      expect(deletion).toBeGreaterThan(upload);
      expect(Object.fromEntries(api.scripts.get("dcr") ?? [])).toEqual(DCR_STACK_SECRETS);
      expect(api.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
    } finally {
      for (const worker of workers)
        rmSync(join(worker.dir, "wrangler.deploy.json"), { force: true });
      await api.stop();
    }
  }, 600_000);
});
