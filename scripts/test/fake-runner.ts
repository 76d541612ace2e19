import type { RunOptions, RunResult } from "../deploy/runner.mjs";

/** One command the code under test ran, with wrangler's and node's paths shortened. */
export interface Call {
  command: string;
  cwd?: string;
  input?: string;
}

export const WRANGLER_BIN = "/fake/wrangler.js";

export const OUTPUTS = {
  Region: "eu-west-1",
  UserPoolId: "eu-west-1_Abc123",
  UserPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123",
  Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123",
  IdpEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
  ManagedLoginUrl: "https://mcp-abc.auth.eu-west-1.amazoncognito.com",
  ResourceServerIdentifier: "mcp-api",
  ReadScope: "mcp-api/read",
  WriteScope: "mcp-api/write",
  StaticClientId: "staticclientid0000000000001",
  StaticClientSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:static",
  DcrAccessKeyId: "AKIAREALDCRUSER00001",
  DcrCredentialsArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dcr",
  FrontDoorKeySecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:front-door",
};

export const STATIC_CLIENT_SECRET = "static-client-secret-value-0123456789";
export const DCR_SECRET_ACCESS_KEY = "dcr-secret-access-key-value-0123456789";
/** 64 alphanumerics, as the template's GenerateSecretString makes them. */
export const FRONT_DOOR_KEY = "FrontDoorKeyGeneratedByCloudFormation0123456789abcdefghijklmnopq";

/**
 * A fake of the AWS CLI and wrangler: answers like them, keeps the account's KV namespaces and
 * workers, and records every call in order.
 */
export function createFakeRunner(
  state: { namespaces?: { id: string; title: string }[]; workers?: string[] } = {},
) {
  const calls: Call[] = [];
  const namespaces = state.namespaces ?? [];
  const workers = new Set(state.workers ?? []);
  let stackExists = false;
  const secrets = new Map<string, Set<string>>();
  /** What Secrets Manager holds, by ARN; a test changes a value as `put-secret-value` would. */
  const stackSecrets = new Map<string, string>([
    [OUTPUTS.StaticClientSecretArn, STATIC_CLIENT_SECRET],
    [
      OUTPUTS.DcrCredentialsArn,
      JSON.stringify({
        accessKeyId: OUTPUTS.DcrAccessKeyId,
        secretAccessKey: DCR_SECRET_ACCESS_KEY,
      }),
    ],
    [OUTPUTS.FrontDoorKeySecretArn, FRONT_DOOR_KEY],
  ]);
  /** What deploy remembers between runs (fingerprints of the secrets it put). */
  const deployState: { secrets?: Record<string, string> } = {};
  const run = async (
    command: string,
    args: string[],
    options: RunOptions = {},
  ): Promise<RunResult> => {
    const words =
      command === process.execPath && args[0] === WRANGLER_BIN
        ? ["wrangler", ...args.slice(1)]
        : [command, ...args];
    calls.push({
      command: words.join(" "),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    const line = words.join(" ");
    const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
    if (line.startsWith("aws cloudformation deploy")) {
      stackExists = true;
      return ok();
    }
    if (line.startsWith("aws cloudformation describe-stacks"))
      return ok(
        JSON.stringify({
          Stacks: [
            {
              Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              })),
            },
          ],
        }),
      );
    if (line.startsWith("aws secretsmanager get-secret-value")) {
      const value = stackSecrets.get(words[words.indexOf("--secret-id") + 1]);
      if (value === undefined) throw new Error(`the fake runner has no secret: ${line}`);
      return ok(`${value}\n`);
    }
    if (line.startsWith("aws cloudformation delete-stack")) {
      stackExists = false;
      return ok();
    }
    if (line.startsWith("aws cloudformation wait")) return ok();
    if (line === "wrangler kv namespace list") return ok(JSON.stringify(namespaces));
    if (line.startsWith("wrangler kv namespace create ")) {
      const title = words[4];
      namespaces.push({ id: `kv${namespaces.length + 1}`.padEnd(32, "0"), title });
      return ok(`Created ${title}`);
    }
    if (line.startsWith("wrangler kv namespace delete")) {
      const id = words[words.indexOf("--namespace-id") + 1];
      namespaces.splice(
        namespaces.findIndex((ns) => ns.id === id),
        1,
      );
      return ok();
    }
    if (line.startsWith("wrangler deploy")) {
      workers.add(options.cwd?.split("/").pop() ?? "");
      return ok();
    }
    if (line.startsWith("wrangler secret put")) {
      const worker = options.cwd?.split("/").pop() ?? "";
      secrets.set(worker, (secrets.get(worker) ?? new Set()).add(words[3]));
      return ok();
    }
    if (line.startsWith("wrangler secret list")) {
      const names = [...(secrets.get(options.cwd?.split("/").pop() ?? "") ?? [])];
      return ok(JSON.stringify(names.map((name) => ({ name, type: "secret_text" }))));
    }
    if (line.startsWith("wrangler delete")) {
      workers.delete(words[2]);
      return ok();
    }
    throw new Error(`the fake runner does not know: ${line}`);
  };
  return {
    run,
    calls,
    namespaces,
    workers,
    secrets,
    stackSecrets,
    deployState,
    readState: () => deployState,
    writeState: () => {},
    stack: () => stackExists,
  };
}
