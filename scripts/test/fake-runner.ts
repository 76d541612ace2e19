import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { CommandError, type RunOptions, type RunResult } from "../deploy/runner.mjs";

/**
 * One command the code under test ran, with wrangler's and node's paths shortened and the path of
 * a temporary secret file written `<secret file>`.
 */
export interface Call {
  command: string;
  cwd?: string;
  input?: string;
  /** Environment variables the code set for this one process. */
  env?: Record<string, string | undefined>;
  /** A file the command read a secret from (`--secrets-file`, `file://`), as it was then. */
  secretFile?: SecretFile;
}

/** A temporary secret file as the command found it. */
export interface SecretFile {
  path: string;
  /** Permission bits of the file and of its folder. */
  mode: number;
  dirMode: number;
  text: string;
}

/** The placeholder for a temporary secret file's path in Call.command. */
export const SECRET_FILE = "<secret file>";

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

/** The stack's DcrUser (its physical id, the IAM user name). */
export const DCR_USER = "mcp-test-DcrUser-1A2B3C4D5E6F";

/** The n-th access key the fake's IAM creates (n from 1). */
export function createdKey(n: number) {
  return {
    accessKeyId: `AKIAROTATEDKEY${String(n).padStart(6, "0")}`,
    secretAccessKey: `rotated-secret-access-key-${n}-0123456789abcdef`,
  };
}

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

/** One access key of the fake's IAM user. */
interface FakeAccessKey {
  secret: string;
  /** How many more Cognito calls refuse it (IAM has not propagated it yet). */
  refusals: number;
}

/**
 * A fake of the AWS CLI and wrangler: answers like them, keeps the account's KV namespaces,
 * workers and their secrets, the stack (whose user pool refuses deletion while its
 * DeletionProtection parameter is ACTIVE, the template's default, and whose IAM user refuses it
 * while it has a key the stack did not make) and DcrUser's access keys, and records every call in
 * order.
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
  /** Each worker's secrets: name → value, as uploaded. */
  const secrets = new Map<string, Map<string, string>>();
  /** DcrUser's access keys, by id; the stack made the first. */
  const accessKeys = new Map<string, FakeAccessKey>([
    [OUTPUTS.DcrAccessKeyId, { secret: DCR_SECRET_ACCESS_KEY, refusals: 0 }],
  ]);
  let keysCreated = 0;
  const iam = {
    /** How many Cognito calls refuse a new key before IAM has propagated it. */
    propagationRefusals: 0,
  };
  /** Calls that fail once, by the start of their command line, after `skip` such calls. */
  const failures: { prefix: string; stderr: string; skip: number }[] = [];
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
    let words =
      command === process.execPath && args[0] === WRANGLER_BIN
        ? ["wrangler", ...args.slice(1)]
        : [command, ...args];
    // A secret file is read while the command runs, as wrangler and the AWS CLI read it.
    let secretFile: SecretFile | undefined;
    const fileArg = words.findIndex(
      (word, i) => word.startsWith("file://") || words[i - 1] === "--secrets-file",
    );
    if (fileArg >= 0) {
      const word = words[fileArg] ?? "";
      const path = word.startsWith("file://") ? word.slice("file://".length) : word;
      if (!existsSync(path)) throw new Error(`the fake runner found no file at ${path}`);
      secretFile = {
        path,
        mode: statSync(path).mode & 0o777,
        dirMode: statSync(dirname(path)).mode & 0o777,
        text: readFileSync(path, "utf8"),
      };
      words = words.map((w, i) =>
        i === fileArg ? (w.startsWith("file://") ? `file://${SECRET_FILE}` : SECRET_FILE) : w,
      );
    }
    calls.push({
      command: words.join(" "),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.env ? { env: { ...options.env } } : {}),
      ...(secretFile ? { secretFile } : {}),
    });
    const line = words.join(" ");
    const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
    // The real runner throws on a non-zero exit unless allowFailure is set.
    const fail = (code: number, stderr: string) => {
      const result = { code, stdout: "", stderr };
      if (options.allowFailure) return result;
      throw new CommandError(command, args, result);
    };
    const failure = failures.find((f) => line.startsWith(f.prefix));
    if (failure && failure.skip-- === 0) {
      failures.splice(failures.indexOf(failure), 1);
      return fail(1, failure.stderr);
    }
    const worker = options.cwd?.split("/").pop() ?? "";
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
      const value = stackSecrets.get(words[words.indexOf("--secret-id") + 1] ?? "");
      if (value === undefined) throw new Error(`the fake runner has no secret: ${line}`);
      return ok(`${value}\n`);
    }
    if (line.startsWith("aws secretsmanager put-secret-value")) {
      const id = words[words.indexOf("--secret-id") + 1] ?? "";
      if (!stackSecrets.has(id)) throw new Error(`the fake runner has no secret: ${line}`);
      if (!secretFile) throw new Error(`the fake runner wants the value in a file: ${line}`);
      stackSecrets.set(id, secretFile.text);
      return ok(JSON.stringify({ ARN: id, VersionId: `v${calls.length}` }));
    }
    if (line.startsWith("aws cloudformation describe-stack-resources")) {
      if (!stack)
        return fail(
          255,
          `An error occurred (ValidationError) when calling the DescribeStackResources operation: Stack with id ${stackName} does not exist`,
        );
      const resources = {
        DcrUser: DCR_USER,
        DcrAccessKey: OUTPUTS.DcrAccessKeyId,
        DcrCredentials: OUTPUTS.DcrCredentialsArn,
      };
      return ok(
        JSON.stringify({
          StackResources: Object.entries(resources).map(
            ([LogicalResourceId, PhysicalResourceId]) => ({
              LogicalResourceId,
              PhysicalResourceId,
            }),
          ),
        }),
      );
    }
    const userName = words[words.indexOf("--user-name") + 1];
    const noSuchUser = () =>
      fail(
        254,
        `An error occurred (NoSuchEntity) when calling the operation: The user with name ${userName} cannot be found.`,
      );
    // A stack whose creation rolled back has no user left.
    const userExists = userName === DCR_USER && stack && stack.status !== "ROLLBACK_COMPLETE";
    if (line.startsWith("aws iam list-access-keys")) {
      if (!userExists) return noSuchUser();
      return ok(
        JSON.stringify({
          AccessKeyMetadata: [...accessKeys.keys()].map((AccessKeyId) => ({
            UserName: userName,
            AccessKeyId,
            Status: "Active",
          })),
        }),
      );
    }
    if (line.startsWith("aws iam create-access-key")) {
      if (!userExists) return noSuchUser();
      if (accessKeys.size >= 2)
        return fail(
          254,
          "An error occurred (LimitExceeded) when calling the CreateAccessKey operation: Cannot exceed quota for AccessKeysPerUser: 2",
        );
      const key = createdKey(++keysCreated);
      accessKeys.set(key.accessKeyId, {
        secret: key.secretAccessKey,
        refusals: iam.propagationRefusals,
      });
      return ok(
        JSON.stringify({
          AccessKey: {
            UserName: userName,
            AccessKeyId: key.accessKeyId,
            Status: "Active",
            SecretAccessKey: key.secretAccessKey,
          },
        }),
      );
    }
    if (line.startsWith("aws iam delete-access-key")) {
      const id = words[words.indexOf("--access-key-id") + 1] ?? "";
      if (userName !== DCR_USER || !accessKeys.delete(id))
        return fail(
          254,
          `An error occurred (NoSuchEntity) when calling the DeleteAccessKey operation: The Access Key with id ${id} cannot be found.`,
        );
      return ok();
    }
    if (line.startsWith("aws cognito-idp list-user-pool-clients")) {
      // Signed with the key in the environment of this call; the deployer's own do not count.
      const key = accessKeys.get(options.env?.AWS_ACCESS_KEY_ID ?? "");
      const refused = (type: string, message: string) =>
        fail(
          254,
          `\nAn error occurred (${type}) when calling the ListUserPoolClients operation: ${message}`,
        );
      if (!key || key.secret !== options.env?.AWS_SECRET_ACCESS_KEY)
        return refused(
          "UnrecognizedClientException",
          "The security token included in the request is invalid.",
        );
      if (options.env?.AWS_SESSION_TOKEN !== undefined)
        return refused(
          "UnrecognizedClientException",
          "The security token included in the request is invalid.",
        );
      if (key.refusals > 0) {
        key.refusals--;
        return refused(
          "UnrecognizedClientException",
          "The security token included in the request is invalid.",
        );
      }
      if (words[words.indexOf("--user-pool-id") + 1] !== OUTPUTS.UserPoolId)
        return refused("ResourceNotFoundException", "User pool does not exist.");
      return ok(JSON.stringify({ UserPoolClients: [] }));
    }
    if (line.startsWith("aws cloudformation delete-stack")) {
      // As CloudFormation: the call succeeds; the deletion fails later on a protected pool, or
      // on an IAM user that still has a key the stack did not make (IAM refuses to delete it).
      if (stack) {
        const foreignKeys = [...accessKeys.keys()].filter((id) => id !== OUTPUTS.DcrAccessKeyId);
        if ((stack.parameters.DeletionProtection ?? "ACTIVE") === "ACTIVE" || foreignKeys.length)
          stack = { ...stack, status: "DELETE_FAILED" };
        else {
          stack = undefined;
          accessKeys.clear();
        }
      }
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
      const title = words[4] ?? "";
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
      workers.add(worker);
      // --secrets-file: uploaded with the code; the worker's other secrets are kept.
      if (secretFile) {
        const uploaded = JSON.parse(secretFile.text) as Record<string, string>;
        const held = secrets.get(worker) ?? new Map<string, string>();
        for (const [name, value] of Object.entries(uploaded)) held.set(name, value);
        secrets.set(worker, held);
      }
      return ok();
    }
    if (line.startsWith("wrangler secret list")) {
      if (!workers.has(worker))
        return fail(
          1,
          `\n✘ [ERROR] Worker "${worker}" not found.\n\n  If this is a new Worker, run \`wrangler deploy\` first to create it.\n  Otherwise, check that the Worker name is correct and you're logged into the right account.\n`,
        );
      const names = [...(secrets.get(worker)?.keys() ?? [])];
      return ok(JSON.stringify(names.map((name) => ({ name, type: "secret_text" }))));
    }
    if (line.startsWith("wrangler secret delete")) {
      secrets.get(worker)?.delete(words[3] ?? "");
      return ok(`✨ Success! Deleted secret ${words[3]}`);
    }
    if (line.startsWith("wrangler delete")) {
      workers.delete(words[2] ?? "");
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
    accessKeys,
    iam,
    /**
     * Makes the next call whose command line starts with `prefix` fail, with this stderr; with
     * `skip`, the one after that many such calls.
     */
    failNext(prefix: string, stderr: string, skip = 0) {
      failures.push({ prefix, stderr, skip });
    },
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

/** One request the Cloudflare API stand-in received. */
export interface ApiRequest {
  method: string;
  path: string;
  /** The upload's metadata (bindings, keep_bindings, …), for a script or version upload. */
  metadata?: {
    main_module?: string;
    bindings?: { name: string; type: string; text?: string }[];
    keep_bindings?: string[];
  };
  /** Names of the upload's parts other than the metadata (the code's modules). */
  modules?: string[];
}

/**
 * A stand-in for the part of the Cloudflare API that `wrangler deploy`, `wrangler secret list` and
 * `wrangler secret delete` use, on 127.0.0.1, for wrangler run with `CLOUDFLARE_API_BASE_URL`
 * pointing at it. It keeps each worker's secrets (set by an upload's `secret_text` bindings, kept
 * otherwise) and records every request; `stop()` ends it.
 */
export async function startFakeCloudflareApi() {
  const { createServer } = await import("node:http");
  const requests: ApiRequest[] = [];
  const scripts = new Map<string, Map<string, string>>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname.replace(
      /^\/client\/v4\/accounts\/[^/]+/,
      "",
    );
    const method = req.method ?? "GET";
    const request: ApiRequest = { method, path };
    requests.push(request);
    const send = (result: unknown, status = 200, errors: unknown[] = []) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ success: status < 400, errors, messages: [], result }));
    };
    const notFound = () =>
      send(null, 404, [{ code: 10007, message: "This Worker does not exist on your account." }]);
    const [, , what, name, sub, item] = path.split("/"); // "", "workers", what, name, sub, item
    if (path === "/workers/subdomain") return send({ subdomain: "acme" });
    if (path === "/workers/scripts" && method === "GET")
      return send([...scripts.keys()].map((id) => ({ id, migration_tag: "v1" })));
    if (what === "services" && name && !sub)
      return scripts.has(name)
        ? send({
            default_environment: {
              environment: "production",
              script: { tag: `tag-${name}`, tags: [], last_deployed_from: "wrangler" },
            },
          })
        : notFound();
    if (what !== "scripts" || !name) return send({});
    const upload = (method === "PUT" && !sub) || (method === "POST" && sub === "versions" && !item);
    if (upload && String(req.headers["content-type"]).startsWith("multipart/form-data")) {
      const form = await new Response(body, {
        headers: { "content-type": String(req.headers["content-type"]) },
      }).formData();
      const raw = form.get("metadata");
      request.metadata = JSON.parse(typeof raw === "string" ? raw : await (raw as Blob).text());
      request.modules = [...form.keys()].filter((key) => key !== "metadata");
      const held = scripts.get(name) ?? new Map<string, string>();
      for (const binding of request.metadata?.bindings ?? [])
        if (binding.type === "secret_text") held.set(binding.name, binding.text ?? "");
      scripts.set(name, held);
      // Answers both a script upload (PUT) and a version upload (POST …/versions).
      return send({
        id: `version-${requests.length}`,
        etag: "etag",
        deployment_id: null,
        resources: { script: { etag: "etag" } },
        startup_time_ms: 1,
      });
    }
    if (sub === "secrets") {
      const held = scripts.get(name);
      if (!held) return notFound();
      if (method === "GET")
        return send([...held.keys()].map((secret) => ({ name: secret, type: "secret_text" })));
      if (method === "DELETE" && item) {
        held.delete(decodeURIComponent(item));
        return send(null);
      }
    }
    if (sub === "deployments" && method === "GET") return send({ deployments: [] });
    return send({});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    /** What to set CLOUDFLARE_API_BASE_URL to. */
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    requests,
    /** Each worker's secrets, name → value. */
    scripts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
