// The CloudFormation stack and its secrets, through the AWS CLI.

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
 * Fewest characters accepted for FRONT_DOOR_KEY: 32 random bytes as base64url. The template
 * generates 64 alphanumerics (about 381 bits); this only catches a value put by hand that is too
 * short to carry 256 bits.
 */
export const FRONT_DOOR_KEY_MIN_CHARACTERS = 43;

/**
 * The static client's secret, workers/dcr's access key pair and its front-door key, from the
 * stack's three secrets.
 */
export async function readStackSecrets(run, aws, outputs) {
  for (const key of ["StaticClientSecretArn", "DcrCredentialsArn", "FrontDoorKeySecretArn"])
    if (!outputs[key]) throw new Error(`stack output ${key} is missing`);
  const staticClientSecret = await readSecretString(run, aws, outputs.StaticClientSecretArn);
  const credentials = JSON.parse(await readSecretString(run, aws, outputs.DcrCredentialsArn));
  if (typeof credentials.secretAccessKey !== "string")
    throw new Error('the DcrCredentials secret has no "secretAccessKey"');
  const frontDoorKey = await readSecretString(run, aws, outputs.FrontDoorKeySecretArn);
  if (frontDoorKey.length < FRONT_DOOR_KEY_MIN_CHARACTERS)
    throw new Error(
      `the FrontDoorKeySecret secret is shorter than ${FRONT_DOOR_KEY_MIN_CHARACTERS} characters; put a random value of at least 32 bytes (docs/deploy.md)`,
    );
  return { staticClientSecret, dcrSecretAccessKey: credentials.secretAccessKey, frontDoorKey };
}

/** Deletes the stack and waits until it is gone. */
export async function deleteStack(run, aws) {
  const args = ["--stack-name", aws.stackName, ...commonArgs(aws)];
  await run("aws", ["cloudformation", "delete-stack", ...args]);
  await run("aws", ["cloudformation", "wait", "stack-delete-complete", ...args]);
}
