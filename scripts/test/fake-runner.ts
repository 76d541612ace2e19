import { CommandError, type RunOptions, type RunResult } from "../deploy/runner.mjs";

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
  ClientStateKeySecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:client-state",
  StaticClientAlertTopicArn: "arn:aws:sns:eu-west-1:123456789012:mcp-test-StaticClientAlertTopic",
};

export const STATIC_CLIENT_SECRET = "static-client-secret-value-0123456789";
export const DCR_SECRET_ACCESS_KEY = "dcr-secret-access-key-value-0123456789";
/** 64 alphanumerics, as the template's GenerateSecretString makes them. */
export const FRONT_DOOR_KEY = "FrontDoorKeyGeneratedByCloudFormation0123456789abcdefghijklmnopq";
/** The ClientStateKeySecret's value: 64 alphanumerics, like FRONT_DOOR_KEY. */
export const CLIENT_STATE_KEY_MATERIAL =
  "ClientStateKeyMaterialFromCloudFormation0123456789abcdefghijklmn";

/** What the fake's CloudFormation holds of the stack: its status and its parameters' values. */
export interface FakeStack {
  status: string;
  parameters: Record<string, string>;
}

/**
 * A fake of the AWS CLI and wrangler: answers like them, keeps the account's KV namespaces,
 * workers and stack (whose user pool refuses deletion while its DeletionProtection parameter is
 * ACTIVE, the template's default), and records every call in order.
 */
export function createFakeRunner(
  state: {
    namespaces?: { id: string; title: string }[];
    workers?: string[];
    stack?: FakeStack;
    deployState?: unknown;
  } = {},
) {
  const calls: Call[] = [];
  const namespaces = state.namespaces ?? [];
  const workers = new Set(state.workers ?? []);
  let stack: FakeStack | undefined = state.stack;
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
    [OUTPUTS.ClientStateKeySecretArn, CLIENT_STATE_KEY_MATERIAL],
  ]);
  /** What deploy remembers between runs, as its state file would: a copy of what it wrote. */
  let deployState: unknown = state.deployState;
  const copy = (value: unknown) =>
    value === undefined ? undefined : JSON.parse(JSON.stringify(value));
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
    // The real runner throws on a non-zero exit unless allowFailure is set.
    const fail = (code: number, stderr: string) => {
      const result = { code, stdout: "", stderr };
      if (options.allowFailure) return result;
      throw new CommandError(command, args, result);
    };
    const stackName = words[words.indexOf("--stack-name") + 1];
    if (line.startsWith("aws cloudformation deploy")) {
      if (stack && !["CREATE_COMPLETE", "UPDATE_COMPLETE"].includes(stack.status))
        return fail(
          255,
          `An error occurred (ValidationError) when calling the CreateChangeSet operation: Stack:${stackName} is in ${stack.status} state and can not be updated.`,
        );
      // Parameters not overridden keep their value (the CLI sends UsePreviousValue for them).
      const start = words.indexOf("--parameter-overrides");
      const overrides: Record<string, string> = {};
      for (const word of start < 0 ? [] : words.slice(start + 1)) {
        if (word.startsWith("--")) break;
        const [key, ...value] = word.split("=");
        overrides[key ?? ""] = value.join("=");
      }
      stack = {
        status: stack ? "UPDATE_COMPLETE" : "CREATE_COMPLETE",
        parameters: { ...stack?.parameters, ...overrides },
      };
      return ok();
    }
    if (line.startsWith("aws cloudformation describe-stacks")) {
      if (!stack)
        return fail(
          255,
          `An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ${stackName} does not exist`,
        );
      if (words.includes("--query")) return ok(`${stack.status}\n`);
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
    }
    if (line.startsWith("aws secretsmanager get-secret-value")) {
      const value = stackSecrets.get(words[words.indexOf("--secret-id") + 1]);
      if (value === undefined) throw new Error(`the fake runner has no secret: ${line}`);
      return ok(`${value}\n`);
    }
    if (line.startsWith("aws cloudformation delete-stack")) {
      // As CloudFormation: the call succeeds; the deletion fails later on a protected pool.
      if (stack)
        stack =
          (stack.parameters.DeletionProtection ?? "ACTIVE") === "ACTIVE"
            ? { ...stack, status: "DELETE_FAILED" }
            : undefined;
      return ok();
    }
    if (line.startsWith("aws cloudformation wait stack-delete-complete")) {
      if (stack?.status === "DELETE_FAILED")
        return fail(
          255,
          'Waiter StackDeleteComplete failed: Waiter encountered a terminal failure state: For expression "Stacks[].StackStatus" we matched expected path: "DELETE_FAILED" at least once',
        );
      return ok();
    }
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
    /** The deploy state as last written. */
    get deployState() {
      return copy(deployState);
    },
    readState: () => copy(deployState),
    writeState: (written: unknown) => {
      deployState = copy(written);
    },
    /** The stack, or undefined when there is none. */
    stack: () => stack,
  };
}
