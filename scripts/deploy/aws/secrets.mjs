// The stack's Secrets Manager secrets, through the AWS CLI: read (key secrets held to a minimum
// length, dcr's key pair as one JSON value) and written.
import { withSecretFile } from "../secret-file.mjs";
import { buildAwsArgs } from "./args.mjs";

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
    ...buildAwsArgs(aws),
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
 * workers/dcr's access key pair from the stack's `DcrCredentials` secret (JSON `{accessKeyId,
 * secretAccessKey}`): the one place both halves come from, so they always belong together.
 * @returns {Promise<{accessKeyId: string, secretAccessKey: string}>}
 */
export async function readDcrCredentials(run, aws, secretId) {
  const credentials = JSON.parse(await readSecretString(run, aws, secretId));
  for (const field of ["accessKeyId", "secretAccessKey"])
    if (typeof credentials?.[field] !== "string" || credentials[field] === "")
      throw new Error(`the DcrCredentials secret has no "${field}"`);
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };
}

/**
 * The static client's secret, workers/dcr's access key pair and front-door key, and the key
 * material of workers/client's CLIENT_STATE_KEY, from the stack's four secrets.
 */
export async function readStackSecrets(run, aws, outputs) {
  for (const key of SECRET_OUTPUTS)
    if (!outputs[key]) throw new Error(`stack output ${key} is missing`);
  const staticClientSecret = await readSecretString(run, aws, outputs.StaticClientSecretArn);
  const credentials = await readDcrCredentials(run, aws, outputs.DcrCredentialsArn);
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
    dcrAccessKeyId: credentials.accessKeyId,
    dcrSecretAccessKey: credentials.secretAccessKey,
    frontDoorKey,
    clientStateKeyMaterial,
  };
}

/**
 * Stores a new value of a Secrets Manager secret (`put-secret-value`). The value travels in a
 * temporary file (`--secret-string file://…`, withSecretFile), never in argv.
 */
export async function putSecretString(run, aws, secretId, value) {
  await withSecretFile(value, (path) =>
    run("aws", [
      "secretsmanager",
      "put-secret-value",
      "--secret-id",
      secretId,
      "--secret-string",
      `file://${path}`,
      "--output",
      "json",
      ...buildAwsArgs(aws),
    ]),
  );
}
