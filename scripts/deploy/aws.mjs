// The CloudFormation stack and its secrets, through the AWS CLI.
import { CommandError } from "./runner.mjs";

/** AWS CLI arguments shared by every call: region and, for tests, an endpoint. */
function commonArgs(aws) {
  const args = [];
  if (aws.region) args.push("--region", aws.region);
  if (aws.endpointUrl) args.push("--endpoint-url", aws.endpointUrl);
  return args;
}

/**
 * Creates or updates the stack and waits for it; an unchanged template and parameters are a
 * no-op (`--no-fail-on-empty-changeset`).
 * @param {import("./runner.mjs").Runner} run
 * @param {{stackName: string, templateFile: string, parameters: Record<string, string>, region?: string, endpointUrl?: string}} aws
 */
export async function deployStack(run, aws) {
  const overrides = Object.entries(aws.parameters).map(([key, value]) => `${key}=${value}`);
  await run("aws", [
    "cloudformation",
    "deploy",
    "--template-file",
    aws.templateFile,
    "--stack-name",
    aws.stackName,
    "--capabilities",
    "CAPABILITY_IAM",
    ...(overrides.length > 0 ? ["--parameter-overrides", ...overrides] : []),
    "--no-fail-on-empty-changeset",
    ...commonArgs(aws),
  ]);
}

/** The stack's outputs as `{ OutputKey: OutputValue }`. */
export async function readStackOutputs(run, aws) {
  const { stdout } = await run("aws", [
    "cloudformation",
    "describe-stacks",
    "--stack-name",
    aws.stackName,
    "--output",
    "json",
    ...commonArgs(aws),
  ]);
  const stack = JSON.parse(stdout).Stacks?.[0];
  if (!stack) throw new Error(`stack ${aws.stackName} not found`);
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

/** One Secrets Manager secret's string; it goes from the CLI's stdout to memory, never to a log. */
export async function readSecretString(run, aws, secretId) {
  const { stdout } = await run("aws", [
    "secretsmanager",
    "get-secret-value",
    "--secret-id",
    secretId,
    "--query",
    "SecretString",
    "--output",
    "text",
    ...commonArgs(aws),
  ]);
  return stdout.replace(/\r?\n$/, "");
}

/**
 * Fewest characters accepted for FRONT_DOOR_KEY and for the key material of CLIENT_STATE_KEY: 32
 * random bytes as base64url. The template generates 64 alphanumerics (about 381 bits); this only
 * catches a value put by hand that is too short to carry 256 bits.
 */
export const KEY_SECRET_MIN_CHARACTERS = 43;

/** Reads a generated key secret and refuses one too short to carry 32 random bytes. */
async function readKeySecret(run, aws, secretId, resourceName) {
  const value = await readSecretString(run, aws, secretId);
  if (value.length < KEY_SECRET_MIN_CHARACTERS)
    throw new Error(
      `the ${resourceName} secret is shorter than ${KEY_SECRET_MIN_CHARACTERS} characters; put a random value of at least 32 bytes (docs/deploy.md)`,
    );
  return value;
}

/** Stack outputs that name the Secrets Manager secrets the deploy reads. */
const SECRET_OUTPUTS = [
  "StaticClientSecretArn",
  "DcrCredentialsArn",
  "FrontDoorKeySecretArn",
  "ClientStateKeySecretArn",
];

/**
 * The static client's secret, workers/dcr's access key pair and front-door key, and the key
 * material of workers/client's CLIENT_STATE_KEY, from the stack's four secrets.
 */
export async function readStackSecrets(run, aws, outputs) {
  for (const key of SECRET_OUTPUTS)
    if (!outputs[key]) throw new Error(`stack output ${key} is missing`);
  const staticClientSecret = await readSecretString(run, aws, outputs.StaticClientSecretArn);
  const credentials = JSON.parse(await readSecretString(run, aws, outputs.DcrCredentialsArn));
  if (typeof credentials.secretAccessKey !== "string")
    throw new Error('the DcrCredentials secret has no "secretAccessKey"');
  const frontDoorKey = await readKeySecret(
    run,
    aws,
    outputs.FrontDoorKeySecretArn,
    "FrontDoorKeySecret",
  );
  const clientStateKeyMaterial = await readKeySecret(
    run,
    aws,
    outputs.ClientStateKeySecretArn,
    "ClientStateKeySecret",
  );
  return {
    staticClientSecret,
    dcrSecretAccessKey: credentials.secretAccessKey,
    frontDoorKey,
    clientStateKeyMaterial,
  };
}

/**
 * The stack's status (`CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, …), or undefined when there is no
 * such stack.
 */
export async function readStackStatus(run, aws) {
  const result = await run(
    "aws",
    [
      "cloudformation",
      "describe-stacks",
      "--stack-name",
      aws.stackName,
      "--query",
      "Stacks[0].StackStatus",
      "--output",
      "text",
      ...commonArgs(aws),
    ],
    { allowFailure: true },
  );
  if (result.code !== 0) {
    if (/does not exist/.test(result.stderr)) return undefined;
    throw new CommandError("aws", ["cloudformation", "describe-stacks"], result);
  }
  return result.stdout.trim();
}

/**
 * Statuses from which a stack can be updated. A stack whose creation rolled back
 * (`ROLLBACK_COMPLETE`) has no resources left, and one in `DELETE_FAILED` can only be deleted.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
 */
const UPDATABLE_STACK_STATUSES = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
  "IMPORT_COMPLETE",
  "IMPORT_ROLLBACK_COMPLETE",
]);

/** Whether a stack in this status can be updated (and so have its deletion protection turned off). */
export function canUpdateStack(status) {
  return UPDATABLE_STACK_STATUSES.has(status);
}

/**
 * Turns the user pool's deletion protection off: `aws cloudformation deploy` of the same template
 * with `DeletionProtection=INACTIVE` and no other override, so every other parameter keeps the
 * value the stack has (the CLI passes `UsePreviousValue` for each).
 */
export async function disableDeletionProtection(run, aws) {
  await deployStack(run, { ...aws, parameters: { DeletionProtection: "INACTIVE" } });
}

/** Deletes the stack and waits until it is gone. */
export async function deleteStack(run, aws) {
  const args = ["--stack-name", aws.stackName, ...commonArgs(aws)];
  await run("aws", ["cloudformation", "delete-stack", ...args]);
  await run("aws", ["cloudformation", "wait", "stack-delete-complete", ...args]);
}
